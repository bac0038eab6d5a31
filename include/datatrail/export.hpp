#pragma once
// One export macro for the whole public API; everything else has hidden visibility.
#if defined(DATATRAIL_STATIC)
#define DATATRAIL_API
#elif defined(_WIN32)
#if defined(DATATRAIL_BUILDING)
#define DATATRAIL_API __declspec(dllexport)
#else
#define DATATRAIL_API __declspec(dllimport)
#endif
#else
#define DATATRAIL_API __attribute__((visibility("default")))
#endif
