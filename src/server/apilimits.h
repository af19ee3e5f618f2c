#pragma once

#include <QtGlobal>

namespace lookalike::server {

// What one request may ask of the server (docs/api.md, "Limits"). Bigger bodies are refused
// with 413 before they are read into memory; the others with 400 (413 for an image).
struct ApiLimits
{
    qint64 maxBodyBytes = 32LL << 20;  // lookalike-cli serve --max-body-mb
    qint64 maxHeaderBytes = 64 << 10;  // request line and headers together
    qint64 maxImageBytes = 16LL << 20; // one base64 image, decoded
    int maxBatch = 1000;               // URLs and images in one add; item ids in one search
    int maxPage = 1000;                // search k (limit), list limit
    int maxOffset = 100000;            // search offset, paging through results
    int maxTextLength = 10000;         // search text, in characters
    int maxFilters = 64;
    // Connections. A client that opens a connection and sends nothing, or sends a request a
    // byte at a time, must not hold a socket (and a file descriptor) forever.
    int maxConnections = 128;     // more at once get 503 and are closed
    int idleTimeoutMs = 60000;    // a keep-alive connection with no request in progress
    int requestTimeoutMs = 30000; // from a request's first byte until its body is complete (408)
};

} // namespace lookalike::server
