#include "testsupport.h"

#include <QFile>
#include <QPainter>
#include <QRandomGenerator>

namespace lookalike::test {

QString testDataDir()
{
    return QStringLiteral(LOOKALIKE_TESTDATA);
}

QString cliPath()
{
    return QStringLiteral(LOOKALIKE_CLI_PATH);
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QImage makeSyntheticImage(int width, int height, quint32 seed)
{
    QRandomGenerator rng(seed);
    QImage img(width, height, QImage::Format_RGB32);
    const QColor a = QColor::fromHsv(int(rng.bounded(360)), 120 + int(rng.bounded(120)), 200);
    const QColor b = QColor::fromHsv(int(rng.bounded(360)), 80 + int(rng.bounded(150)), 60 + int(rng.bounded(150)));
    QPainter p(&img);
    QLinearGradient g(0, 0, width, height);
    g.setColorAt(0, a);
    g.setColorAt(1, b);
    p.fillRect(img.rect(), g);
    for (int i = 0; i < 6; ++i) {
        p.setBrush(QColor::fromHsv(int(rng.bounded(360)), int(rng.bounded(256)), int(rng.bounded(256))));
        p.setPen(Qt::NoPen);
        const int w = 10 + int(rng.bounded(width / 2 + 1));
        const int h = 10 + int(rng.bounded(height / 2 + 1));
        const QRect r(int(rng.bounded(width)), int(rng.bounded(height)), w, h);
        if (i % 2)
            p.drawEllipse(r);
        else
            p.drawRect(r);
    }
    p.end();
    return img.convertToFormat(QImage::Format_RGB888);
}

} // namespace lookalike::test

#include <QBuffer>
#include <QDir>
#include <QFile>
#include <QImageWriter>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QtEndian>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <faiss/IndexIVFFlat.h>
#include <faiss/impl/io.h>
#include <faiss/index_io.h>
#include <faiss/invlists/InvertedLists.h>
#include <xxhash.h>

#include <memory>

namespace lookalike::test {

bool saveImage(const QImage &image, const QString &path, const char *format, int quality)
{
    QImageWriter w(path, format);
    w.setQuality(quality);
    return w.write(image);
}

QByteArray pngHeaderClaiming(quint32 width, quint32 height)
{
    auto chunk = [](const char *type, const QByteArray &data) {
        QByteArray c;
        quint32 len = qToBigEndian(quint32(data.size()));
        c.append(reinterpret_cast<const char *>(&len), 4);
        QByteArray body = QByteArray(type, 4) + data;
        c.append(body);
        quint32 crc = qToBigEndian(quint32(crc32(0, reinterpret_cast<const Bytef *>(body.constData()), uInt(body.size()))));
        c.append(reinterpret_cast<const char *>(&crc), 4);
        return c;
    };
    QByteArray ihdr;
    const quint32 w = qToBigEndian(width), h = qToBigEndian(height);
    ihdr.append(reinterpret_cast<const char *>(&w), 4);
    ihdr.append(reinterpret_cast<const char *>(&h), 4);
    ihdr.append("\x08\x02\x00\x00\x00", 5); // 8-bit RGB
    return QByteArray("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", ihdr) + chunk("IDAT", QByteArray(16, '\0'))
        + chunk("IEND", QByteArray());
}

int writeHostileFiles(const QString &dirPath)
{
    const QDir dir(dirPath);
    auto write = [&](const QString &name, const QByteArray &bytes) {
        QFile f(dir.filePath(name));
        if (f.open(QIODevice::WriteOnly))
            f.write(bytes);
    };
    int count = 0;
    QByteArray jpeg;
    {
        QBuffer b(&jpeg);
        b.open(QIODevice::WriteOnly);
        makeSyntheticImage(400, 300, 7).save(&b, "JPEG", 90);
    }
    write(QStringLiteral("truncated.jpg"), jpeg.left(jpeg.size() / 3));
    write(QStringLiteral("empty.jpg"), QByteArray());
    write(QStringLiteral("page.jpg"), QByteArray("<!DOCTYPE html><html><body>not an image</body></html>"));
    write(QStringLiteral("bomb.png"), pngHeaderClaiming(30000, 30000));
    write(QStringLiteral("entity.svg"),
          QByteArray("<?xml version=\"1.0\"?><!DOCTYPE svg [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                     "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><text>&x;</text></svg>"));
    write(QStringLiteral("href.svg"),
          QByteArray("<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" width=\"10\" "
                     "height=\"10\"><image xlink:href=\"http://127.0.0.1:9/x.png\" width=\"10\" height=\"10\"/></svg>"));
    count += 6;
    ::symlink(".", QFile::encodeName(dir.filePath(QStringLiteral("loop"))).constData()); // followed once, then skipped
    ::mkfifo(QFile::encodeName(dir.filePath(QStringLiteral("pipe.jpg"))).constData(), 0600);
    count += 1;
    // A newline in the name is legal and must not break anything; its content is truncated.
    write(QStringLiteral("new\nline.jpg"), jpeg.left(100));
    count += 1;
    // A Latin-1 name: not valid UTF-8.
    const QByteArray latin1 = QFile::encodeName(dirPath) + "/caf\xe9.jpg";
    const int fd = ::open(latin1.constData(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        (void)::write(fd, jpeg.constData(), size_t(jpeg.size()));
        ::close(fd);
    }
    count += 1;
    QByteArray laughs = "<?xml version=\"1.0\"?><!DOCTYPE svg [<!ENTITY a \"lol\">";
    for (int i = 1; i < 10; ++i)
        laughs += QStringLiteral("<!ENTITY %1 \"&%2;&%2;&%2;&%2;&%2;&%2;&%2;&%2;&%2;&%2;\">")
                      .arg(QChar(u'a' + i))
                      .arg(QChar(u'a' + i - 1))
                      .toLatin1();
    laughs += "]><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><text>&j;</text></svg>";
    write(QStringLiteral("laughs.svg"), laughs);
    ::symlink("self.jpg", QFile::encodeName(dir.filePath(QStringLiteral("self.jpg"))).constData());
    count += 2;
    return count;
}

int writeTrickyValidImages(const QString &dirPath)
{
    const QDir dir(dirPath);
    int count = 0;
    auto save = [&](const QImage &img, const QString &name, const char *format) {
        if (saveImage(img, dir.filePath(name), format))
            ++count;
    };
    QImage one(1, 1, QImage::Format_RGB32);
    one.fill(Qt::red);
    save(one, QStringLiteral("one.png"), "png");
    save(makeSyntheticImage(64, 48, 11).convertToFormat(QImage::Format_RGBA64), QStringLiteral("deep.png"), "png");
    save(makeSyntheticImage(64, 48, 12).convertToFormat(QImage::Format_Grayscale16), QStringLiteral("deep.tif"), "tiff");
    save(makeSyntheticImage(64, 48, 13).convertToFormat(QImage::Format_Grayscale8), QStringLiteral("gray.jpg"), "jpg");
    save(makeSyntheticImage(64, 48, 14), QStringLiteral("really-a-png.jpg"), "png");
    save(makeSyntheticImage(64, 48, 15), QStringLiteral("photo.webp"), "webp");
    QProcess python;
    python.start(QStringLiteral("/usr/bin/python3"),
                 {QStringLiteral("-c"),
                  QStringLiteral("import sys\nfrom PIL import Image\nout = sys.argv[1]\n"
                                 "Image.new('CMYK', (40, 30), (0, 255, 255, 0)).save(out + '/cmyk.jpg', quality=95)\n"
                                 "frames = [Image.new('RGB', (40, 30), c) for c in ((255, 0, 0), (0, 0, 255))]\n"
                                 "frames[0].save(out + '/animated.gif', save_all=True, append_images=frames[1:], duration=100, loop=0)\n"),
                  dirPath});
    if (!python.waitForFinished(60000) || python.exitCode() != 0)
        return -1;
    count += 2;
    return count == 8 ? count : -1;
}

} // namespace lookalike::test

namespace lookalike::test {

void removeNonUtf8Names(const QString &dirPath)
{
    const QByteArray native = QFile::encodeName(dirPath);
    DIR *d = ::opendir(native.constData());
    if (!d)
        return;
    while (dirent *e = ::readdir(d)) {
        const QByteArray name(e->d_name);
        if (QFile::encodeName(QFile::decodeName(name)) != name)
            ::unlink(QByteArray(native + '/' + name).constData());
    }
    ::closedir(d);
}

QString startImageServer(QProcess &process, const QString &root, const QString &log)
{
    QStringList args{QStringLiteral(LOOKALIKE_SOURCE_DIR "/tests/data/image_server.py"), root};
    if (!log.isEmpty())
        args << log;
    process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    process.start(QStringLiteral("/usr/bin/python3"), args);
    if (!process.waitForStarted() || !process.waitForReadyRead(10000))
        return {};
    const QByteArray line = process.readLine().trimmed();
    if (!line.startsWith("PORT "))
        return {};
    return QStringLiteral("http://127.0.0.1:%1").arg(QString::fromLatin1(line.mid(5)));
}

bool writeIndexVouchedFor(const QString &file, const QByteArray &bytes, const QString &like)
{
    QFile meta(like + QStringLiteral(".meta"));
    if (!meta.open(QIODevice::ReadOnly))
        return false;
    QJsonObject o = QJsonDocument::fromJson(meta.readAll()).object();
    o[QStringLiteral("fileSize")] = double(bytes.size());
    o[QStringLiteral("xxh3")] =
        QStringLiteral("%1").arg(XXH3_64bits(bytes.constData(), size_t(bytes.size())), 16, 16, QLatin1Char('0'));
    const QByteArray json = QJsonDocument(o).toJson();
    QFile out(file), outMeta(file + QStringLiteral(".meta"));
    return out.open(QIODevice::WriteOnly | QIODevice::Truncate) && out.write(bytes) == bytes.size() &&
           outMeta.open(QIODevice::WriteOnly | QIODevice::Truncate) && outMeta.write(json) == json.size();
}

QByteArray ivfIndexWithFaissOwnLists(const QString &file)
{
    try {
        faiss::FileIOReader reader(QFile::encodeName(file).constData());
        std::unique_ptr<faiss::Index> raw(faiss::read_index(&reader));
        auto *ivf = dynamic_cast<faiss::IndexIVFFlat *>(raw.get());
        if (!ivf)
            return {};
        auto *array = new faiss::ArrayInvertedLists(ivf->nlist, ivf->code_size);
        for (size_t l = 0; l < ivf->nlist; ++l)
            array->add_entries(l, ivf->invlists->list_size(l), ivf->invlists->get_ids(l), ivf->invlists->get_codes(l));
        ivf->replace_invlists(array, true);
        faiss::VectorIOWriter writer;
        faiss::write_index(ivf, &writer);
        return QByteArray(reinterpret_cast<const char *>(writer.data.data()), qsizetype(writer.data.size()));
    } catch (const std::exception &e) {
        qWarning() << "cannot re-encode" << file << e.what();
        return {};
    }
}

} // namespace lookalike::test
