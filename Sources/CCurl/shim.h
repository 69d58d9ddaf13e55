#ifndef CALLTOP_CCURL_SHIM_H
#define CALLTOP_CCURL_SHIM_H
// curl_easy_setopt/getinfo are variadic and the CURL* macros do not import:
// one typed wrapper per argument kind keeps Swift away from varargs.
#include <curl/curl.h>

typedef size_t (*calltop_curl_write_cb)(char *, size_t, size_t, void *);
typedef int (*calltop_curl_xferinfo_cb)(void *, curl_off_t, curl_off_t, curl_off_t, curl_off_t);

static inline CURLcode calltop_curl_global_init(void) { return curl_global_init(CURL_GLOBAL_DEFAULT); }
static inline CURLcode calltop_curl_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode calltop_curl_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode calltop_curl_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode calltop_curl_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode calltop_curl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode calltop_curl_setopt_write(CURL *h, CURLoption o, calltop_curl_write_cb v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode calltop_curl_setopt_xferinfo(CURL *h, calltop_curl_xferinfo_cb v) { return curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, v); }
static inline CURLcode calltop_curl_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode calltop_curl_getinfo_off(CURL *h, CURLINFO i, curl_off_t *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode calltop_curl_getinfo_string(CURL *h, CURLINFO i, char **v) { return curl_easy_getinfo(h, i, v); }
static inline long calltop_curlauth_basic(void) { return (long)CURLAUTH_BASIC; }
/* HTTP/2 only where this libcurl was built with nghttp2; over TLS (ALPN), never for plain http. */
static inline int calltop_curl_has_http2(void) { return (curl_version_info(CURLVERSION_NOW)->features & CURL_VERSION_HTTP2) != 0; }
static inline long calltop_curl_http_version_2tls(void) { return (long)CURL_HTTP_VERSION_2TLS; }

#endif
