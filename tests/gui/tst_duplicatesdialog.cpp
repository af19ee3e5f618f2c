// DuplicatesDialog on real collections: planted near-duplicates come out as the expected
// groups, the threshold regroups, "not a duplicate" splits a group and is remembered after the
// collection is reopened, and remove/export/activate carry the selected ids.
#include "duplicatesdialog.h"
#include "histogramwidget.h"
#include "thumbnailcache.h"

#include "collection/collectionwriter.h"
#include "embed/embedderfactory.h"
#include "ingest/ingestjob.h"
#include "testsupport.h" // tests/ has no include path of its own

#include <QApplication>
#include <QCheckBox>
#include <QDir>
#include <QLabel>
#include <QMessageBox>
#include <QMouseEvent>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTreeWidget>

#include <cmath>
#include <functional>
#include <set>

using namespace lookalike;
using namespace lookalike::test;

namespace {

constexpr int kDim = 16;

// Exact geometry, so that every pair's cosine is known: unit axes, and mixes of two axes.
std::vector<float> axis(int i)
{
    std::vector<float> v(kDim, 0.f);
    v[size_t(i)] = 1.f;
    return v;
}

// cosine × axis(i) + sign × sin × axis(j): cosine `cosine` to axis(i).
std::vector<float> mix(int i, int j, double cosine, double sign = 1)
{
    std::vector<float> v(kDim, 0.f);
    v[size_t(i)] = float(cosine);
    v[size_t(j)] = float(sign * std::sqrt(1 - cosine * cosine));
    return v;
}

std::set<qint64> asSet(const std::vector<qint64> &ids)
{
    return {ids.begin(), ids.end()};
}

std::set<std::set<qint64>> groupSets(const DuplicatesDialog &d)
{
    std::set<std::set<qint64>> out;
    for (const DuplicateGroup &g : d.groups())
        out.insert(asSet(g.ids));
    return out;
}

// Answers the next modal message box with the button whose text is `buttonText`.
void answerNextMessageBox(const QString &buttonText)
{
    QTimer::singleShot(0, [buttonText] {
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        if (!box) {
            qWarning("no message box to answer");
            return;
        }
        for (QAbstractButton *b : box->buttons()) {
            if (b->text().remove(QLatin1Char('&')) == buttonText) {
                b->click();
                return;
            }
        }
        qWarning("no button %s", qPrintable(buttonText));
        box->reject();
    });
}

// The sequence a window system delivers (press, release, double-click, release). QTest's
// mouseDClick leaves out the first release, and an item view still drag-selecting ignores it.
void doubleClick(QWidget *widget, QPoint pos)
{
    QTest::mouseClick(widget, Qt::LeftButton, {}, pos);
    const QPointF global = widget->mapToGlobal(QPointF(pos));
    QMouseEvent dbl(QEvent::MouseButtonDblClick, QPointF(pos), global, Qt::LeftButton, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(widget, &dbl);
    QMouseEvent release(QEvent::MouseButtonRelease, QPointF(pos), global, Qt::LeftButton, Qt::NoButton, Qt::NoModifier);
    QApplication::sendEvent(widget, &release);
}

} // namespace

class TestDuplicatesDialog final : public QObject
{
    Q_OBJECT

private:
    // ids by name, for a collection with planted groups:
    //   a, a2          cosine 0.99        (a pair at any threshold up to 0.99)
    //   b, b2, b3      cosines 0.98, 0.97 to b, 0.90 to each other (a group of three)
    //   c, c2          cosine 0.90        (a pair only below 0.90)
    //   d, e, f, g     unrelated
    QHash<QString, qint64> m_ids;

    // `folderOf(name)`: the folder below /data/ an item's file is in ("" = /data/ itself).
    std::shared_ptr<Collection> createPlanted(const QString &dir,
                                              const std::function<QString(const QString &)> &folderOf = {})
    {
        CollectionOptions options;
        options.embedderId = QStringLiteral("test-model");
        options.dimension = kDim;
        auto created = Collection::create(dir, options);
        if (!created)
            qFatal("create failed: %s", qPrintable(created.errorMessage()));
        std::shared_ptr<Collection> c = std::move(*created);

        QList<std::pair<QString, std::vector<float>>> vectors;
        vectors.append({QStringLiteral("a"), axis(0)});
        vectors.append({QStringLiteral("a2"), mix(0, 1, 0.99)});
        vectors.append({QStringLiteral("b"), axis(2)});
        vectors.append({QStringLiteral("b2"), mix(2, 3, 0.98)});
        // Bent the other way: b2·b3 = 0.98 × 0.97 − 0.199 × 0.243 ≈ 0.902.
        vectors.append({QStringLiteral("b3"), mix(2, 3, 0.97, -1)});
        vectors.append({QStringLiteral("c"), axis(4)});
        vectors.append({QStringLiteral("c2"), mix(4, 5, 0.90)});
        int next = 6;
        for (const char *name : {"d", "e", "f", "g"})
            vectors.append({QString::fromLatin1(name), axis(next++)});

        std::vector<NewItem> items;
        for (const auto &[name, v] : vectors) {
            NewItem item;
            const QString folder = folderOf ? folderOf(name) : QString();
            item.record.uri = QStringLiteral("/data/%1%2.png").arg(folder.isEmpty() ? QString() : folder + u'/', name);
            item.record.filename = name + QStringLiteral(".png");
            item.record.size = 100;
            item.record.mtimeMs = 1000;
            item.record.contentHash = QStringLiteral("hash-") + name;
            item.record.width = 10;
            item.record.height = 10;
            item.record.format = QStringLiteral("png");
            item.spaceName = c->imageSpaceName();
            item.embedding = v;
            items.push_back(std::move(item));
        }
        auto writer = c->openWriter();
        if (!writer)
            qFatal("writer: %s", qPrintable(writer.errorMessage()));
        auto ids = (*writer)->writeItems(items);
        if (!ids)
            qFatal("write failed: %s", qPrintable(ids.errorMessage()));
        m_ids.clear();
        for (qsizetype i = 0; i < vectors.size(); ++i)
            m_ids.insert(vectors[i].first, (*ids)[size_t(i)]);
        return c;
    }

    std::set<qint64> ids(std::initializer_list<const char *> names) const
    {
        std::set<qint64> out;
        for (const char *n : names)
            out.insert(m_ids.value(QString::fromLatin1(n)));
        return out;
    }

    static bool waitForGroups(DuplicatesDialog &d, QSignalSpy &spy, int count = 1)
    {
        // QTRY_* cannot return a value; a loop with the same generous limit can.
        for (int i = 0; i < 300 && (spy.count() < count || d.isBusy()); ++i)
            QTest::qWait(50);
        return spy.count() >= count && !d.isBusy();
    }

private Q_SLOTS:
    void plantedGroupsAndThreshold()
    {
        QTemporaryDir tmp;
        auto c = createPlanted(tmp.path());
        DuplicatesDialog d(c, nullptr);
        QSignalSpy updated(&d, &DuplicatesDialog::groupsUpdated);
        QVERIFY(d.isBusy());
        QVERIFY(d.findChild<QLabel *>(QStringLiteral("statusLabel"))->text().contains(QStringLiteral("Finding")));
        QVERIFY(waitForGroups(d, updated));
        QCOMPARE(d.threshold(), 0.95);
        QCOMPARE(d.groupCount(), 2);
        QCOMPARE(groupSets(d), (std::set<std::set<qint64>>{ids({"a", "a2"}), ids({"b", "b2", "b3"})}));
        QCOMPARE(asSet(d.groups().front().ids), ids({"b", "b2", "b3"})); // largest first

        // The tree: a header per group, a row per member.
        auto *tree = d.findChild<QTreeWidget *>(QStringLiteral("groupsTree"));
        QCOMPARE(tree->topLevelItemCount(), 2);
        QCOMPARE(tree->topLevelItem(0)->childCount(), 3);
        QVERIFY(tree->topLevelItem(0)->text(0).contains(QStringLiteral("Group 1")));
        QCOMPARE(tree->topLevelItem(1)->child(0)->text(0), QStringLiteral("a.png"));

        // The histogram holds every neighbour pair; at 0.95 exactly the planted links pass:
        // a–a2, b–b2 and b–b3 (b2–b3 is 0.90).
        auto *histogram = d.findChild<HistogramWidget *>(QStringLiteral("histogram"));
        QVERIFY(histogram);
        QCOMPARE(histogram->threshold(), 0.95);
        QCOMPARE(histogram->countAtOrAbove(), qint64(3));

        // Lower the threshold: the c pair joins.
        d.setThreshold(0.85);
        QVERIFY(d.isBusy());
        QVERIFY(waitForGroups(d, updated, 2));
        QCOMPARE(groupSets(d), (std::set<std::set<qint64>>{ids({"a", "a2"}), ids({"b", "b2", "b3"}), ids({"c", "c2"})}));
        QCOMPARE(histogram->threshold(), 0.85);

        // Through the histogram's keyboard: up to 0.985 leaves only a's pair.
        histogram->setFocus();
        histogram->setThreshold(0.98);
        QTest::keyClick(histogram, Qt::Key_Right);
        QVERIFY(qAbs(d.threshold() - 0.985) < 1e-9);
        QVERIFY(waitForGroups(d, updated, 3));
        QCOMPARE(groupSets(d), (std::set<std::set<qint64>>{ids({"a", "a2"})}));
    }

    // a2 sits in test/, every other image in train/: of the two groups, only a's is a leak.
    void leaksOnlyKeepsGroupsAcrossFolders()
    {
        QTemporaryDir tmp;
        auto c = createPlanted(tmp.path(), [](const QString &name) {
            return name == QLatin1String("a2") ? QStringLiteral("test/x") : QStringLiteral("train");
        });
        DuplicatesDialog d(c, nullptr);
        QSignalSpy updated(&d, &DuplicatesDialog::groupsUpdated);
        QVERIFY(waitForGroups(d, updated));
        QCOMPARE(d.groupCount(), 2);

        auto *leaks = d.findChild<QCheckBox *>(QStringLiteral("leaksCheck"));
        QVERIFY(leaks);
        leaks->click();
        QVERIFY(d.leaksOnly());
        QVERIFY(waitForGroups(d, updated, 2));
        QCOMPARE(groupSets(d), (std::set<std::set<qint64>>{ids({"a", "a2"})}));
        auto *tree = d.findChild<QTreeWidget *>(QStringLiteral("groupsTree"));
        QCOMPARE(tree->topLevelItemCount(), 1);
        QStringList rows;
        for (int i = 0; i < tree->topLevelItem(0)->childCount(); ++i)
            rows << tree->topLevelItem(0)->child(i)->text(0);
        QCOMPARE(rows, (QStringList{u"a.png — in train"_qs, u"a2.png — in test"_qs}));
        QVERIFY(d.findChild<QLabel *>(QStringLiteral("statusLabel"))->text().contains(QStringLiteral("across folders")));

        leaks->click();
        QVERIFY(!d.leaksOnly());
        QVERIFY(waitForGroups(d, updated, 3));
        QCOMPARE(d.groupCount(), 2);
        QCOMPARE(tree->topLevelItem(1)->child(0)->text(0), QStringLiteral("a.png"));
    }

    void rapidThresholdChangesAreDebounced()
    {
        QTemporaryDir tmp;
        auto c = createPlanted(tmp.path());
        DuplicatesDialog d(c, nullptr);
        QSignalSpy updated(&d, &DuplicatesDialog::groupsUpdated);
        QVERIFY(waitForGroups(d, updated));
        const int before = updated.count();
        for (double t = 0.95; t >= 0.849; t -= 0.005)
            d.setThreshold(t);
        QVERIFY(waitForGroups(d, updated, before + 1));
        QCOMPARE(updated.count(), before + 1); // one regroup for the whole burst
        QCOMPARE(d.groupCount(), 3);
    }

    void notDuplicateIsRemembered()
    {
        QTemporaryDir tmp;
        {
            auto c = createPlanted(tmp.path());
            DuplicatesDialog d(c, nullptr);
            QSignalSpy updated(&d, &DuplicatesDialog::groupsUpdated);
            QVERIFY(waitForGroups(d, updated));
            QCOMPARE(d.groupCount(), 2);
            // Select the a pair's header: the whole group is "not a duplicate".
            auto *tree = d.findChild<QTreeWidget *>(QStringLiteral("groupsTree"));
            tree->topLevelItem(1)->setSelected(true);
            QCOMPARE(asSet(d.selectedIds()), ids({"a", "a2"}));
            auto *button = d.findChild<QPushButton *>(QStringLiteral("notDuplicateButton"));
            QVERIFY(button->isEnabled());
            button->click();
            QVERIFY(waitForGroups(d, updated, 2));
            QCOMPARE(groupSets(d), (std::set<std::set<qint64>>{ids({"b", "b2", "b3"})}));

            // One member of the three: split off from the rest of its group.
            d.selectIds({m_ids.value(QStringLiteral("b3"))});
            d.markSelectedNotDuplicate();
            QVERIFY(waitForGroups(d, updated, 3));
            QCOMPARE(groupSets(d), (std::set<std::set<qint64>>{ids({"b", "b2"})}));
        }
        // Reopened from disk: the marks hold.
        auto reopened = Collection::open(tmp.path());
        QVERIFY2(reopened, qPrintable(reopened.errorMessage()));
        std::shared_ptr<Collection> c = std::move(*reopened);
        auto pairs = c->notDuplicatePairs();
        QVERIFY(pairs);
        const qint64 a = m_ids.value(QStringLiteral("a")), a2 = m_ids.value(QStringLiteral("a2"));
        QVERIFY(pairs->contains({std::min(a, a2), std::max(a, a2)}));
        DuplicatesDialog d(c, nullptr);
        QSignalSpy updated(&d, &DuplicatesDialog::groupsUpdated);
        QVERIFY(waitForGroups(d, updated));
        QCOMPARE(groupSets(d), (std::set<std::set<qint64>>{ids({"b", "b2"})}));
    }

    void removeExportAndActivateCarryIds()
    {
        QTemporaryDir tmp;
        auto c = createPlanted(tmp.path());
        DuplicatesDialog d(c, nullptr);
        // The spy before show(): waiting for the window runs the event loop, and on an idle
        // machine the groups can arrive during that wait.
        QSignalSpy updated(&d, &DuplicatesDialog::groupsUpdated);
        d.show();
        QVERIFY(QTest::qWaitForWindowExposed(&d));
        QSignalSpy removed(&d, &DuplicatesDialog::removeRequested);
        QSignalSpy exported(&d, &DuplicatesDialog::exportRequested);
        QSignalSpy activated(&d, &DuplicatesDialog::itemActivated);
        QVERIFY(waitForGroups(d, updated));

        const std::vector<qint64> chosen{m_ids.value(QStringLiteral("b")), m_ids.value(QStringLiteral("b3"))};
        d.selectIds(chosen);
        auto *remove = d.findChild<QPushButton *>(QStringLiteral("removeButton"));
        answerNextMessageBox(QStringLiteral("Cancel"));
        remove->click();
        QCOMPARE(removed.count(), 0);

        answerNextMessageBox(QStringLiteral("Remove"));
        remove->click();
        QCOMPARE(removed.count(), 1);
        QCOMPARE(removed.at(0).at(0).value<std::vector<qint64>>(), chosen);

        d.findChild<QPushButton *>(QStringLiteral("exportButton"))->click();
        QCOMPARE(exported.count(), 1);
        QCOMPARE(exported.at(0).at(0).value<std::vector<qint64>>(), chosen);

        auto *tree = d.findChild<QTreeWidget *>(QStringLiteral("groupsTree"));
        QTreeWidgetItem *row = tree->topLevelItem(0)->child(1);
        const QRect rect = tree->visualItemRect(row);
        QVERIFY(rect.height() >= 64); // rows keep room for their thumbnails
        doubleClick(tree->viewport(), rect.center());
        QCOMPARE(activated.count(), 1);
        QCOMPARE(activated.at(0).at(0).toLongLong(), m_ids.value(QStringLiteral("b2")));

        // The window removes them and asks for a refresh: the group shrinks to a pair.
        QVERIFY(c->removeItems(chosen));
        d.refresh();
        QVERIFY(waitForGroups(d, updated, 2));
        QCOMPARE(groupSets(d), (std::set<std::set<qint64>>{ids({"a", "a2"})}));
    }

    void coreErrorIsShownNotThrown()
    {
        QTemporaryDir tmp;
        CollectionOptions options; // no image space: the finder has nothing to search
        auto created = Collection::create(tmp.path(), options);
        QVERIFY(created);
        std::shared_ptr<Collection> c = std::move(*created);
        DuplicatesDialog d(c, nullptr);
        QSignalSpy failed(&d, &DuplicatesDialog::searchFailed);
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 15000);
        QVERIFY(!d.isBusy());
        QCOMPARE(d.groupCount(), 0);
        const QString status = d.findChild<QLabel *>(QStringLiteral("statusLabel"))->text();
        QVERIFY2(status.contains(failed.at(0).at(0).toString()), qPrintable(status));
    }

    void realImagesWithThumbnails()
    {
        // End to end with the built-in embedder: the same picture saved twice with a small
        // change must come out as one group; the rows get the stored thumbnails.
        QTemporaryDir tmp;
        const QString images = tmp.filePath(QStringLiteral("images"));
        QVERIFY(QDir().mkpath(images));
        QImage original = makeSyntheticImage(400, 300, 7);
        QVERIFY(saveImage(original, images + QStringLiteral("/original.png"), "png"));
        QImage touched = original.copy();
        for (int x = 10; x < 30; ++x)
            touched.setPixel(x, 10, qRgb(255, 0, 0));
        QVERIFY(saveImage(touched, images + QStringLiteral("/touched.jpg"), "jpg", 92));
        for (quint32 seed = 100; seed < 106; ++seed)
            QVERIFY(saveImage(makeSyntheticImage(400, 300, seed), images + QStringLiteral("/other%1.png").arg(seed), "png"));

        auto embedder = EmbedderFactory::create(EmbedderFactory::defaultId());
        QVERIFY2(embedder, qPrintable(embedder.errorMessage()));
        CollectionOptions options;
        options.embedderId = (*embedder)->id();
        options.dimension = (*embedder)->dimension();
        auto created = Collection::create(tmp.filePath(QStringLiteral("coll")), options);
        QVERIFY(created);
        std::shared_ptr<Collection> c = std::move(*created);
        IngestParams params;
        params.inputs = {images};
        IngestJob job(*c, **embedder, params);
        auto ingested = job.run();
        QVERIFY2(ingested, qPrintable(ingested.errorMessage()));
        QCOMPARE(ingested->added, qint64(8));

        const qint64 orig = (*c->itemByUri(images + QStringLiteral("/original.png")))->id;
        const qint64 copy = (*c->itemByUri(images + QStringLiteral("/touched.jpg")))->id;

        ThumbnailCache thumbnails;
        thumbnails.setCollection(c);
        DuplicatesDialog d(c, &thumbnails);
        // The spy before show(): waiting for the window runs the event loop, and on an idle
        // machine the groups can arrive during that wait.
        QSignalSpy updated(&d, &DuplicatesDialog::groupsUpdated);
        d.show();
        QVERIFY(QTest::qWaitForWindowExposed(&d));
        QVERIFY(waitForGroups(d, updated));
        bool found = false;
        for (const DuplicateGroup &g : d.groups()) {
            const std::set<qint64> s = asSet(g.ids);
            if (s.count(orig)) {
                QVERIFY2(s.count(copy), "the touched copy is not in the original's group");
                found = true;
            }
        }
        QVERIFY2(found, "the planted pair was not found");

        auto *tree = d.findChild<QTreeWidget *>(QStringLiteral("groupsTree"));
        QTreeWidgetItem *first = tree->topLevelItem(0)->child(0);
        QTRY_VERIFY_WITH_TIMEOUT(!first->icon(0).isNull(), 15000);
    }
};

QTEST_MAIN(TestDuplicatesDialog)
#include "tst_duplicatesdialog.moc"
