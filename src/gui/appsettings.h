#pragma once

#include "models/torchruntime.h"

#include <QByteArray>
#include <QString>

#include <memory>

class QSettings;

namespace lookalike {

// Typed access to the application's persistent settings. Every key and default lives in
// appsettings.cpp; nothing else in the GUI names a QSettings key. Out-of-range values read
// back from the file are clamped, so a hand-edited file cannot break the window.
class AppSettings final
{
    Q_DISABLE_COPY_MOVE(AppSettings)

public:
    static constexpr int kMinThumbnailSide = 64;
    static constexpr int kMaxThumbnailSide = 512;

    // The per-user settings (QCoreApplication's organization and application name).
    AppSettings();
    // An INI file of its own, for tests.
    explicit AppSettings(const QString &iniFile);
    ~AppSettings();

    static QString defaultLibraryFolder();

    // Where new collections are created by default.
    QString libraryFolder() const;
    void setLibraryFolder(const QString &folder);

    QString defaultModel() const;
    void setDefaultModel(const QString &modelId);

    // "auto", "cpu" or "cuda"; anything else reads as "auto".
    QString device() const;
    void setDevice(const QString &device);

    // Ingest worker threads, and libtorch's threads on the CPU; 0 = one per core.
    int threads() const;
    void setThreads(int threads);

    // device() and threads(), as TorchRuntime::configure() takes them.
    TorchSettings torchSettings() const;

    // Thumbnail edge in pixels, kept within [kMinThumbnailSide, kMaxThumbnailSide].
    int thumbnailSide() const;
    void setThumbnailSide(int side);

    int thumbnailCacheMiB() const;
    void setThumbnailCacheMiB(int mib);

    QByteArray windowGeometry() const;
    void setWindowGeometry(const QByteArray &geometry);
    QByteArray windowState() const;
    void setWindowState(const QByteArray &state);
    QByteArray splitterState(const QString &name) const;
    void setSplitterState(const QString &name, const QByteArray &state);

    // The collection folder open when the application last quit; empty for none.
    QString lastCollection() const;
    void setLastCollection(const QString &path);

    // Weight of the image score in combined queries, in [0, 1].
    double alpha() const;
    void setAlpha(double alpha);

    // Results per page, at least 1.
    int resultCount() const;
    void setResultCount(int k);

    void sync();

private:
    std::unique_ptr<QSettings> m_settings;
};

} // namespace lookalike
