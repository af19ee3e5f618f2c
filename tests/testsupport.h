#pragma once

#include <QImage>
#include <QString>

class QProcess;

namespace lookalike::test {

// ../shared/testdata, or an empty string (tests that need it then fail loudly, never skip).
QString testDataDir();
QString cliPath();
// The whole file, or an empty array when it cannot be read.
QByteArray readFile(const QString &path);

// Index files (collection/vectorindex.h). Writes `bytes` as the index `file` with a sidecar
// that vouches for them (the sidecar of `like` with their size and checksum), so that a load
// gets past the checksum and has to judge the contents themselves.
bool writeIndexVouchedFor(const QString &file, const QByteArray &bytes, const QString &like);
// The IVF index file `file` re-encoded with FAISS's own lists (ArrayInvertedLists), as index
// files were written before the mapped list format; empty if it is not an IVFFlat index.
QByteArray ivfIndexWithFaissOwnLists(const QString &file);

// A photo-like RGB test image: smooth gradients, a few shapes and noise, deterministic in `seed`.
QImage makeSyntheticImage(int width, int height, quint32 seed);

} // namespace lookalike::test

namespace lookalike::test {

// Writes `image` as `format` ("jpg", "png", …) to `path`; false on failure.
bool saveImage(const QImage &image, const QString &path, const char *format, int quality = 90);

// A PNG whose header claims width × height pixels (a decompression bomb's header), with
// valid chunk CRCs and a tiny, wrong IDAT.
QByteArray pngHeaderClaiming(quint32 width, quint32 height);

// Fills `dir` with files a careless pipeline trips over: truncated JPEG, empty file, HTML
// named .jpg, a PNG header claiming 30000×30000, an SVG with an external entity and one with an
// external image reference, a symlink loop, a FIFO, a name with a newline, a name that is not
// UTF-8, an entity-expansion SVG, a symlink that points at itself. Returns the number of entries that must each produce one per-file error.
int writeHostileFiles(const QString &dir);
// Fills `dir` with unusual but valid images that must all be indexed: 1×1, 16-bit PNG and
// TIFF, grayscale, a PNG named .jpg, a CMYK JPEG and an animated GIF (these two made with
// Debian's python3-pil). Returns how many, or -1 when they could not all be written.
int writeTrickyValidImages(const QString &dir);

// Starts tests/data/image_server.py (a web server on loopback with images and bad answers)
// serving the files in `root`, logging requests to `log` when given, and waits until it
// listens. Returns "http://127.0.0.1:<port>", or an empty string when it did not start.
QString startImageServer(QProcess &process, const QString &root, const QString &log = {});

// Deletes what QDir cannot (names that are not UTF-8), so that QTemporaryDir cleans up.
void removeNonUtf8Names(const QString &dir);

} // namespace lookalike::test
