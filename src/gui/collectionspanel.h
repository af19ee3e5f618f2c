#pragma once

#include <QWidget>

class QListWidget;
class QListWidgetItem;
class QToolButton;

namespace lookalike {

// What the panel knows about one collection folder (read on a worker thread).
struct CollectionSummary
{
    QString path;
    QString name;
    QString embedderId;
    qint64 items = -1; // -1 = could not be read
    QString error;
};

// The collections in the user's library folder plus any opened from elsewhere, each with its
// item count and model. New, Open, Rename and Delete are requests: the main window owns the
// session and does them (Delete after a confirmation).
class CollectionsPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CollectionsPanel)

public:
    explicit CollectionsPanel(QWidget *parent = nullptr);

    void setLibraryFolder(const QString &folder);
    QString libraryFolder() const { return m_library; }
    // Collections outside the library folder that the user opened; listed too.
    void setExtraCollections(const QStringList &paths);
    QStringList extraCollections() const { return m_extra; }
    void addExtraCollection(const QString &path);
    void setCurrentPath(const QString &path);
    // Rescans the library folder and re-reads every summary (asynchronously).
    void refresh();
    QStringList listedPaths() const;
    static CollectionSummary summarize(const QString &path);

Q_SIGNALS:
    void openRequested(const QString &path);
    void createRequested();
    void openFolderRequested();
    void renameRequested(const QString &path, const QString &newName);
    void deleteRequested(const QString &path);
    void refreshed();

private:
    void fill(const QList<CollectionSummary> &summaries);
    QString selectedPath() const;
    void updateButtons();

    QString m_library;
    QStringList m_extra;
    QString m_current;
    QListWidget *m_list;
    QToolButton *m_rename;
    QToolButton *m_delete;
    quint64 m_refreshGeneration = 0;
};

} // namespace lookalike
