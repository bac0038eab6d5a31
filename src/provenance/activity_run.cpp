#include <datatrail/activity_run.hpp>
#include <datatrail/error.hpp>

#include <exception>
#include <iostream>

namespace datatrail {

ActivityRun::ActivityRun(Catalog& catalog, Activity activity, const std::filesystem::path& source_tree)
    : catalog_(catalog), acquisition_(activity.type == ActivityType::acquisition), uncaught_(std::uncaught_exceptions()) {
    const auto captured = capture_environment(source_tree);
    auto& env = activity.environment;
    if (env.os.empty()) env.os = captured.os;
    if (env.user.empty()) env.user = captured.user;
    if (env.source_tree.empty()) {
        env.source_tree = captured.source_tree;
        env.git_commit = captured.git_commit;
        env.git_dirty = captured.git_dirty;
    }
    activity.status = ActivityStatus::running;
    pid_ = catalog_.start_activity(std::move(activity)).pid;
}

ActivityRun::~ActivityRun() {
    if (finished_) return;
    try {
        if (std::uncaught_exceptions() > uncaught_) fail("an exception left the activity's scope");
        else succeed();
    } catch (const std::exception& e) {
        std::cerr << "datatrail: could not record the end of activity " << pid_ << ": " << e.what() << '\n';
    }
}

Dataset ActivityRun::output(Dataset dataset, const std::string& role, const RegisterOptions& options) {
    dataset.kind = acquisition_ ? DatasetKind::raw : DatasetKind::processed;
    dataset.state = DatasetState::acquiring;
    std::vector<Dataset> one;
    one.push_back(std::move(dataset));
    return std::move(catalog_.add_outputs(pid_, std::move(one), role, options).front());
}

void ActivityRun::input(Used used) { catalog_.add_inputs(pid_, {std::move(used)}); }

void ActivityRun::log(std::string_view text) {
    std::string line(text);
    line += '\n';
    catalog_.append_log(pid_, line);
}

void ActivityRun::succeed() {
    catalog_.finish_activity(pid_, ActivityStatus::succeeded);
    finished_ = true;
}

void ActivityRun::fail(std::string_view reason) {
    // Marked finished first: if recording fails, the destructor must not try again.
    finished_ = true;
    log(std::string("failed: ") + std::string(reason));
    catalog_.finish_activity(pid_, ActivityStatus::failed);
}

}  // namespace datatrail
