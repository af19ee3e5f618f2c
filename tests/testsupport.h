#pragma once

#include <QImage>
#include <QString>

namespace lookalike::test {

// ../shared/testdata, or an empty string (tests that need it then fail loudly, never skip).
QString testDataDir();
QString cliPath();

// A photo-like RGB test image: smooth gradients, a few shapes and noise, deterministic in `seed`.
QImage makeSyntheticImage(int width, int height, quint32 seed);

} // namespace lookalike::test
