#include "appsettings.h"

#include "embed/embedderfactory.h"

#include <QSettings>
#include <QStandardPaths>

#include <algorithm>
#include <cmath>

namespace lookalike {

namespace {

// The keys, in one place. Groups keep the INI file readable when a user opens it.
const QString kLibraryFolder = QStringLiteral("collections/libraryFolder");
const QString kLastCollection = QStringLiteral("collections/last");
const QString kDefaultModel = QStringLiteral("embedding/defaultModel");
const QString kDevice = QStringLiteral("embedding/device");
const QString kThreads = QStringLiteral("ingest/threads");
const QString kThumbnailSide = QStringLiteral("thumbnails/side");
const QString kThumbnailCacheMiB = QStringLiteral("thumbnails/cacheMiB");
const QString kWindowGeometry = QStringLiteral("window/geometry");
const QString kWindowState = QStringLiteral("window/state");
const QString kSplitterPrefix = QStringLiteral("window/splitters/");
const QString kAlpha = QStringLiteral("search/alpha");
const QString kResultCount = QStringLiteral("search/resultCount");

constexpr int kDefaultThumbnailSide = 256;
constexpr int kDefaultCacheMiB = 192;
// Enough for a workstation; beyond this a typo (an extra zero) would exhaust memory.
constexpr int kMaxCacheMiB = 16384;
constexpr int kMinCacheMiB = 16;
constexpr int kMaxThreads = 256;
constexpr int kMaxResultCount = 10000;

QString validDevice(const QString &device)
{
    const QString d = device.trimmed().toLower();
    if (d == QLatin1String("cpu") || d == QLatin1String("cuda"))
        return d;
    return QStringLiteral("auto");
}

// A value that is missing or not a number reads as the default; one out of range is clamped.
int intValue(const QSettings &settings, const QString &key, int fallback, int lo, int hi)
{
    bool ok = false;
    const int v = settings.value(key).toInt(&ok);
    return std::clamp(ok ? v : fallback, lo, hi);
}

} // namespace

AppSettings::AppSettings()
    : m_settings(std::make_unique<QSettings>())
{
}

AppSettings::AppSettings(const QString &iniFile)
    : m_settings(std::make_unique<QSettings>(iniFile, QSettings::IniFormat))
{
}

AppSettings::~AppSettings() = default;

QString AppSettings::defaultLibraryFolder()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/collections");
}

QString AppSettings::libraryFolder() const
{
    const QString folder = m_settings->value(kLibraryFolder).toString();
    return folder.isEmpty() ? defaultLibraryFolder() : folder;
}

void AppSettings::setLibraryFolder(const QString &folder)
{
    m_settings->setValue(kLibraryFolder, folder);
}

QString AppSettings::defaultModel() const
{
    const QString model = m_settings->value(kDefaultModel).toString().trimmed();
    return model.isEmpty() ? EmbedderFactory::defaultId() : model;
}

void AppSettings::setDefaultModel(const QString &modelId)
{
    m_settings->setValue(kDefaultModel, modelId.trimmed());
}

QString AppSettings::device() const
{
    return validDevice(m_settings->value(kDevice).toString());
}

void AppSettings::setDevice(const QString &device)
{
    m_settings->setValue(kDevice, validDevice(device));
}

int AppSettings::threads() const
{
    return intValue(*m_settings, kThreads, 0, 0, kMaxThreads);
}

void AppSettings::setThreads(int threads)
{
    m_settings->setValue(kThreads, std::clamp(threads, 0, kMaxThreads));
}

TorchSettings AppSettings::torchSettings() const
{
    TorchSettings torch;
    torch.device = device();
    torch.threads = threads();
    return torch;
}

int AppSettings::thumbnailSide() const
{
    return intValue(*m_settings, kThumbnailSide, kDefaultThumbnailSide, kMinThumbnailSide, kMaxThumbnailSide);
}

void AppSettings::setThumbnailSide(int side)
{
    m_settings->setValue(kThumbnailSide, std::clamp(side, kMinThumbnailSide, kMaxThumbnailSide));
}

int AppSettings::thumbnailCacheMiB() const
{
    return intValue(*m_settings, kThumbnailCacheMiB, kDefaultCacheMiB, kMinCacheMiB, kMaxCacheMiB);
}

void AppSettings::setThumbnailCacheMiB(int mib)
{
    m_settings->setValue(kThumbnailCacheMiB, std::clamp(mib, kMinCacheMiB, kMaxCacheMiB));
}

QByteArray AppSettings::windowGeometry() const
{
    return m_settings->value(kWindowGeometry).toByteArray();
}

void AppSettings::setWindowGeometry(const QByteArray &geometry)
{
    m_settings->setValue(kWindowGeometry, geometry);
}

QByteArray AppSettings::windowState() const
{
    return m_settings->value(kWindowState).toByteArray();
}

void AppSettings::setWindowState(const QByteArray &state)
{
    m_settings->setValue(kWindowState, state);
}

QByteArray AppSettings::splitterState(const QString &name) const
{
    return m_settings->value(kSplitterPrefix + name).toByteArray();
}

void AppSettings::setSplitterState(const QString &name, const QByteArray &state)
{
    m_settings->setValue(kSplitterPrefix + name, state);
}

QString AppSettings::lastCollection() const
{
    return m_settings->value(kLastCollection).toString();
}

void AppSettings::setLastCollection(const QString &path)
{
    m_settings->setValue(kLastCollection, path);
}

double AppSettings::alpha() const
{
    bool ok = false;
    const double a = m_settings->value(kAlpha, 0.5).toDouble(&ok);
    return ok && !std::isnan(a) ? std::clamp(a, 0.0, 1.0) : 0.5;
}

void AppSettings::setAlpha(double alpha)
{
    m_settings->setValue(kAlpha, std::isnan(alpha) ? 0.5 : std::clamp(alpha, 0.0, 1.0));
}

int AppSettings::resultCount() const
{
    return intValue(*m_settings, kResultCount, 50, 1, kMaxResultCount);
}

void AppSettings::setResultCount(int k)
{
    m_settings->setValue(kResultCount, std::clamp(k, 1, kMaxResultCount));
}

void AppSettings::sync()
{
    m_settings->sync();
}

} // namespace lookalike
