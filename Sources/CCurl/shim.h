#ifndef BUTLER_CCURL_H
#define BUTLER_CCURL_H
#include <curl/curl.h>

// curl_easy_setopt is variadic, which Swift can't call: one typed wrapper per argument type.
static inline CURLcode butler_curl_set_string(CURL *curl, CURLoption option, const char *value) {
    return curl_easy_setopt(curl, option, value);
}
static inline CURLcode butler_curl_set_long(CURL *curl, CURLoption option, long value) {
    return curl_easy_setopt(curl, option, value);
}
static inline CURLcode butler_curl_set_pointer(CURL *curl, CURLoption option, void *value) {
    return curl_easy_setopt(curl, option, value);
}
static inline CURLcode butler_curl_set_list(CURL *curl, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(curl, option, value);
}
typedef size_t (*butler_curl_read_function)(char *buffer, size_t size, size_t count, void *userdata);
static inline CURLcode butler_curl_set_read_function(CURL *curl, butler_curl_read_function function) {
    return curl_easy_setopt(curl, CURLOPT_READFUNCTION, function);
}
#endif
