<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>lookalike::CollectionsPanel</name>
    <message numerus="yes">
        <source>%n item(s)</source>
        <translation>
            <numerusform>%n item</numerusform>
            <numerusform>%n items</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>lookalike::DuplicatesDialog</name>
    <message numerus="yes">
        <source>%n group(s) of near-duplicates, %1 images in all.</source>
        <translation>
            <numerusform>%n group of near-duplicates, %1 images in all.</numerusform>
            <numerusform>%n groups of near-duplicates, %1 images in all.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Group %1 — %n image(s), similarity up to %2</source>
        <translation>
            <numerusform>Group %1 — %n image, similarity up to %2</numerusform>
            <numerusform>Group %1 — %n images, similarity up to %2</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Remove %n image(s) from the collection? The files stay on disk.</source>
        <translation>
            <numerusform>Remove %n image from the collection? The files stay on disk.</numerusform>
            <numerusform>Remove %n images from the collection? The files stay on disk.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n group(s) of near-duplicates across folders, %1 images in all.</source>
        <translation>
            <numerusform>%n group of near-duplicates across folders, %1 images in all.</numerusform>
            <numerusform>%n groups of near-duplicates across folders, %1 images in all.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>lookalike::ErrorsDialog</name>
    <message numerus="yes">
        <source>%n file(s) could not be added</source>
        <translation>
            <numerusform>%n file could not be added</numerusform>
            <numerusform>%n files could not be added</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>lookalike::HistogramWidget</name>
    <message numerus="yes">
        <source>%n pair(s) at or above %1</source>
        <translation>
            <numerusform>%n pair at or above %1</numerusform>
            <numerusform>%n pairs at or above %1</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>lookalike::IngestStatusWidget</name>
    <message numerus="yes">
        <source>%n failed</source>
        <translation>
            <numerusform>%n failed</numerusform>
            <numerusform>%n failed</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) gone from disk</source>
        <translation>
            <numerusform>%n file gone from disk</numerusform>
            <numerusform>%n files gone from disk</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n error(s)</source>
        <translation>
            <numerusform>%n error</numerusform>
            <numerusform>%n errors</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>lookalike::MainWindow</name>
    <message numerus="yes">
        <source>%n item(s)</source>
        <translation>
            <numerusform>%n item</numerusform>
            <numerusform>%n items</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n result(s)</source>
        <translation>
            <numerusform>%n result</numerusform>
            <numerusform>%n results</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Copied %n path(s)</source>
        <translation>
            <numerusform>Copied %n path</numerusform>
            <numerusform>Copied %n paths</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Remove %n item(s) from the collection? The files on disk are not touched.</source>
        <translation>
            <numerusform>Remove %n item from the collection? The files on disk are not touched.</numerusform>
            <numerusform>Remove %n items from the collection? The files on disk are not touched.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Removed %n item(s)</source>
        <translation>
            <numerusform>Removed %n item</numerusform>
            <numerusform>Removed %n items</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Export %n image(s) to</source>
        <translation>
            <numerusform>Export %n image to</numerusform>
            <numerusform>Export %n images to</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Exported %n file(s) and results.csv to %1</source>
        <translation>
            <numerusform>Exported %n file and results.csv to %1</numerusform>
            <numerusform>Exported %n files and results.csv to %1</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n outlier(s): the images least like their %1 nearest neighbours, most unusual first</source>
        <translation>
            <numerusform>%n outlier: the image least like its %1 nearest neighbours</numerusform>
            <numerusform>%n outliers: the images least like their %1 nearest neighbours, most unusual first</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>lookalike::ModelDownloadDialog</name>
    <message numerus="yes">
        <source>%n file(s), %1 in all</source>
        <translation>
            <numerusform>%n file, %1 in all</numerusform>
            <numerusform>%n files, %1 in all</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Installed %1 (%2, %n dimension(s), %3).</source>
        <translation>
            <numerusform>Installed %1 (%2, %n dimension, %3).</numerusform>
            <numerusform>Installed %1 (%2, %n dimensions, %3).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) matched their SHA-256.</source>
        <translation>
            <numerusform>%n file matched its SHA-256.</numerusform>
            <numerusform>%n files matched their SHA-256.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>lookalike::ModelListModel</name>
    <message numerus="yes">
        <source>%1 — %2, %n dimension(s)</source>
        <translation>
            <numerusform>%1 — %2, %n dimension</numerusform>
            <numerusform>%1 — %2, %n dimensions</numerusform>
        </translation>
    </message>
</context>
</TS>
