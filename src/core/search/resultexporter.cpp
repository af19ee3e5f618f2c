#include "resultexporter.h"

#include <QDir>
#include <QFile>
#include <QSaveFile>

namespace lookalike {

QString ResultExporter::csvField(const QString &v)
{
    if (!v.contains(QLatin1Char(',')) && !v.contains(QLatin1Char('"')) && !v.contains(QLatin1Char('\n'))
        && !v.contains(QLatin1Char('\r')))
        return v;
    QString q = v;
    q.replace(QLatin1Char('"'), QLatin1String("\"\""));
    return QLatin1Char('"') + q + QLatin1Char('"');
}

Result<ExportSummary> ResultExporter::exportHits(const Collection &collection, const QList<SearchHit> &hits, const QString &folder,
                                                 int firstRank,
                                                 const std::atomic<bool> *cancel)
{
    const QDir out(folder);
    if (!QDir().mkpath(out.absolutePath()))
        return Error(QStringLiteral("cannot create %1").arg(out.absolutePath()), Error::Code::Io);
    ExportSummary summary;
    summary.folder = out.absolutePath();
    summary.csvPath = out.filePath(QStringLiteral("results.csv"));
    QSaveFile csv(summary.csvPath);
    if (!csv.open(QIODevice::WriteOnly))
        return Error(QStringLiteral("cannot write %1: %2").arg(csv.fileName(), csv.errorString()), Error::Code::Io);
    csv.write("rank,id,file,source,score,image_score,text_score,report\n");
    int rank = firstRank - 1;
    for (const SearchHit &h : hits) {
        if (cancel && cancel->load())
            return Error(QStringLiteral("export cancelled"), Error::Code::Cancelled);
        ++rank;
        const QString name = QStringLiteral("%1_%2").arg(rank, 4, 10, QLatin1Char('0')).arg(h.item.filename);
        const QString target = out.filePath(name);
        QFile::remove(target);
        QFile source(collection.localFile(h.item));
        if (!source.copy(target)) {
            summary.failures.append({h.item.uri, QStringLiteral("export"), source.errorString(), 0});
            continue;
        }
        ++summary.copied;
        const QString row[] = {QString::number(rank), QString::number(h.id), name, h.item.uri,
                               QString::number(h.score, 'f', 6), QString::number(h.imageScore, 'f', 6),
                               QString::number(h.textScore, 'f', 6), h.report};
        QStringList fields;
        for (const QString &f : row)
            fields << csvField(f);
        csv.write(fields.join(QLatin1Char(',')).toUtf8() + '\n');
    }
    if (!csv.commit())
        return Error(QStringLiteral("cannot write %1").arg(csv.fileName()), Error::Code::Io);
    return summary;
}

} // namespace lookalike
