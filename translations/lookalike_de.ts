<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>ModelDownloadDialog</name>
    <message>
        <source>Download a Model</source>
        <translation>Modell herunterladen</translation>
    </message>
    <message>
        <source>Hugging Face repository</source>
        <translation>Hugging-Face-Repository</translation>
    </message>
    <message>
        <source>Base &amp;URL:</source>
        <translation>Basis-&amp;URL:</translation>
    </message>
    <message>
        <source>The hub, or a mirror of it; only https, or http to this computer</source>
        <translation>Der Hub oder ein Spiegel davon; nur https, oder http zu diesem Computer</translation>
    </message>
    <message>
        <source>&amp;Repository:</source>
        <translation>&amp;Repository:</translation>
    </message>
    <message>
        <source>organisation/name, e.g. google/siglip-so400m-patch14-384</source>
        <translation>Organisation/Name, z. B. google/siglip-so400m-patch14-384</translation>
    </message>
    <message>
        <source>Access &amp;token:</source>
        <translation>Zugriffs&amp;token:</translation>
    </message>
    <message>
        <source>Optional, for gated models; sent to the hub only</source>
        <translation>Optional, für zugangsbeschränkte Modelle; wird nur an den Hub gesendet</translation>
    </message>
    <message>
        <source>List of file URLs</source>
        <translation>Liste von Datei-URLs</translation>
    </message>
    <message>
        <source>One &amp;URL per line, optionally followed by the file&apos;s SHA-256. Lines starting with # are comments.</source>
        <translation>Eine &amp;URL pro Zeile, optional gefolgt von der SHA-256 der Datei. Zeilen, die mit # beginnen, sind Kommentare.</translation>
    </message>
    <message>
        <source>Folder &amp;name:</source>
        <translation>Ordner&amp;name:</translation>
    </message>
    <message>
        <source>The model&apos;s folder in the models folder</source>
        <translation>Der Ordner des Modells im Modellordner</translation>
    </message>
    <message>
        <source>A cancelled or interrupted download keeps what arrived: start the same download again to resume it. Files whose SHA-256 is known (given in the list, or stated by the hub) are checked. The model is loaded once to make sure it works.</source>
        <translation>Ein abgebrochener oder unterbrochener Download behält, was bereits angekommen ist: Starten Sie denselben Download erneut, um ihn fortzusetzen. Dateien mit bekannter SHA-256 (in der Liste angegeben oder vom Hub genannt) werden geprüft. Das Modell wird einmal geladen, um sicherzustellen, dass es funktioniert.</translation>
    </message>
    <message>
        <source>&amp;Download</source>
        <translation>&amp;Herunterladen</translation>
    </message>
    <message>
        <source>&amp;Cancel Download</source>
        <translation>Download a&amp;bbrechen</translation>
    </message>
</context>
<context>
    <name>ModelsDialog</name>
    <message>
        <source>Models</source>
        <translation>Modelle</translation>
    </message>
    <message>
        <source>Add Model &amp;Folder…</source>
        <translation>Modell&amp;ordner hinzufügen…</translation>
    </message>
    <message>
        <source>Add a Hugging Face CLIP or SigLIP folder (config.json, weights, tokenizer and preprocessor files); it is loaded once to check it, then copied into the models folder</source>
        <translation>Einen Hugging-Face-Ordner mit CLIP oder SigLIP hinzufügen (config.json, Gewichte, Tokenizer- und Vorverarbeitungsdateien); er wird zur Prüfung einmal geladen und dann in den Modellordner kopiert</translation>
    </message>
    <message>
        <source>Add &amp;TorchScript File…</source>
        <translation>&amp;TorchScript-Datei hinzufügen…</translation>
    </message>
    <message>
        <source>Add an image encoder exported with TorchScript (a .pt file with its .json beside it)</source>
        <translation>Einen mit TorchScript exportierten Bild-Encoder hinzufügen (eine .pt-Datei mit ihrer .json daneben)</translation>
    </message>
    <message>
        <source>&amp;Download…</source>
        <translation>&amp;Herunterladen…</translation>
    </message>
    <message>
        <source>Download a model from Hugging Face or from a list of file addresses</source>
        <translation>Ein Modell von Hugging Face oder aus einer Liste von Dateiadressen herunterladen</translation>
    </message>
    <message>
        <source>&amp;Remove…</source>
        <translation>&amp;Entfernen…</translation>
    </message>
    <message>
        <source>Delete the selected model from the models folder</source>
        <translation>Das ausgewählte Modell aus dem Modellordner löschen</translation>
    </message>
    <message>
        <source>Set as Defa&amp;ult</source>
        <translation>Als &amp;Standard festlegen</translation>
    </message>
    <message>
        <source>New collections use the selected model unless you choose another</source>
        <translation>Neue Sammlungen verwenden das ausgewählte Modell, sofern Sie kein anderes wählen</translation>
    </message>
</context>
<context>
    <name>NewCollectionDialog</name>
    <message>
        <source>New Collection</source>
        <translation>Neue Sammlung</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>&amp;Model:</source>
        <translation>&amp;Modell:</translation>
    </message>
    <message>
        <source>The model that turns the collection&apos;s images into vectors; it cannot be changed later</source>
        <translation>Das Modell, das die Bilder der Sammlung in Vektoren umwandelt; es kann später nicht geändert werden</translation>
    </message>
</context>
<context>
    <name>ScoreText</name>
    <message>
        <source>text↔image cosine %1</source>
        <translation>Text↔Bild-Kosinus %1</translation>
    </message>
    <message>
        <source>text↔report cosine %1</source>
        <translation>Text↔Befund-Kosinus %1</translation>
    </message>
    <message>
        <source>report words %1</source>
        <translation>Befundwörter %1</translation>
    </message>
    <message>
        <source>report words: no match</source>
        <translation>Befundwörter: kein Treffer</translation>
    </message>
    <message>
        <source>score = image similarity (cosine)</source>
        <translation>Ähnlichkeit = Bildähnlichkeit (Kosinus)</translation>
    </message>
    <message>
        <source>text↔image</source>
        <translation>Text↔Bild</translation>
    </message>
    <message>
        <source>text↔report</source>
        <translation>Text↔Befund</translation>
    </message>
    <message>
        <source>report words</source>
        <translation>Befundwörter</translation>
    </message>
    <message>
        <source>mean of %1</source>
        <translation>Mittelwert aus %1</translation>
    </message>
    <message>
        <source>score = %1 × image + %2 × text</source>
        <translation>Ähnlichkeit = %1 × Bild + %2 × Text</translation>
    </message>
    <message>
        <source>(text = %1)</source>
        <translation>(Text = %1)</translation>
    </message>
    <message>
        <source>score = %1</source>
        <translation>Ähnlichkeit = %1</translation>
    </message>
    <message>
        <source>score = text relevance (BM25, relative to the best match)</source>
        <translation>Ähnlichkeit = Textrelevanz (BM25, relativ zum besten Treffer)</translation>
    </message>
    <message>
        <source>score = mean similarity to the nearest neighbours; lowest = most unusual</source>
        <translation>Ähnlichkeit = mittlere Ähnlichkeit zu den nächsten Nachbarn; die niedrigste = am ungewöhnlichsten</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>&amp;Library folder:</source>
        <translation>&amp;Bibliotheksordner:</translation>
    </message>
    <message>
        <source>Where new collections are created unless you choose another place</source>
        <translation>Hier werden neue Sammlungen angelegt, sofern Sie keinen anderen Ort wählen</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>Du&amp;rchsuchen…</translation>
    </message>
    <message>
        <source>Default &amp;model:</source>
        <translation>Standard&amp;modell:</translation>
    </message>
    <message>
        <source>The model new collections embed their images with</source>
        <translation>Das Modell, mit dem neue Sammlungen ihre Bilder einbetten</translation>
    </message>
    <message>
        <source>&amp;Device:</source>
        <translation>&amp;Gerät:</translation>
    </message>
    <message>
        <source>Where models run; Automatic uses the GPU when one is available</source>
        <translation>Wo die Modelle laufen; „Automatisch“ verwendet die GPU, wenn eine vorhanden ist</translation>
    </message>
    <message>
        <source>Automatic</source>
        <translation>Automatisch</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>CUDA (GPU)</source>
        <translation>CUDA (GPU)</translation>
    </message>
    <message>
        <source>&amp;Threads:</source>
        <translation>&amp;Threads:</translation>
    </message>
    <message>
        <source>Thumbnail &amp;size:</source>
        <translation>Größe der Miniatur&amp;ansichten:</translation>
    </message>
    <message>
        <source>Longest edge of the thumbnails stored for images added from now on</source>
        <translation>Längste Kante der gespeicherten Miniaturansichten für ab jetzt hinzugefügte Bilder</translation>
    </message>
    <message>
        <source> px</source>
        <translation> px</translation>
    </message>
    <message>
        <source>Thumbnail &amp;cache:</source>
        <translation>&amp;Zwischenspeicher für Miniaturansichten:</translation>
    </message>
    <message>
        <source>Memory kept for decoded thumbnails while browsing</source>
        <translation>Arbeitsspeicher, der beim Durchblättern für dekodierte Miniaturansichten vorgehalten wird</translation>
    </message>
    <message>
        <source> MiB</source>
        <translation> MiB</translation>
    </message>
    <message>
        <source>Worker threads for adding images and for running models on the processor; Automatic uses one per processor core</source>
        <translation>Arbeitsthreads zum Hinzufügen von Bildern und zum Ausführen der Modelle auf dem Prozessor; „Automatisch“ verwendet einen pro Prozessorkern</translation>
    </message>
</context>
<context>
    <name>lookalike::CollectionSession</name>
    <message>
        <source>No collection is open.</source>
        <translation>Es ist keine Sammlung geöffnet.</translation>
    </message>
    <message>
        <source>Cannot add images: %1</source>
        <translation>Bilder können nicht hinzugefügt werden: %1</translation>
    </message>
    <message>
        <source>Example images cannot be searched: the model %1 is not available (%2). Items of the collection and words can still be searched.</source>
        <translation>Nach Beispielbildern kann nicht gesucht werden: Das Modell %1 ist nicht verfügbar (%2). Nach Elementen der Sammlung und nach Wörtern kann weiterhin gesucht werden.</translation>
    </message>
    <message>
        <source>The model %1 is still loading; search by example images once it is ready. Items of the collection and words can be searched meanwhile.</source>
        <translation>Das Modell %1 wird noch geladen; suchen Sie nach Beispielbildern, sobald es bereit ist. Nach Elementen der Sammlung und nach Wörtern kann schon jetzt gesucht werden.</translation>
    </message>
</context>
<context>
    <name>lookalike::CollectionsPanel</name>
    <message>
        <source>New</source>
        <translation>Neu</translation>
    </message>
    <message>
        <source>Create a collection in the library folder</source>
        <translation>Eine Sammlung im Bibliotheksordner anlegen</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Öffnen</translation>
    </message>
    <message>
        <source>Open a collection folder from anywhere</source>
        <translation>Einen Sammlungsordner von einem beliebigen Ort öffnen</translation>
    </message>
    <message>
        <source>Rename</source>
        <translation>Umbenennen</translation>
    </message>
    <message>
        <source>Rename the selected collection</source>
        <translation>Die ausgewählte Sammlung umbenennen</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
    <message>
        <source>Delete the selected collection</source>
        <translation>Die ausgewählte Sammlung löschen</translation>
    </message>
    <message>
        <source>Rename collection</source>
        <translation>Sammlung umbenennen</translation>
    </message>
    <message>
        <source>New name:</source>
        <translation>Neuer Name:</translation>
    </message>
    <message>
        <source>Collections</source>
        <translation>Sammlungen</translation>
    </message>
    <message>
        <source>cannot be opened</source>
        <translation>kann nicht geöffnet werden</translation>
    </message>
    <message numerus="yes">
        <source>%n item(s)</source>
        <translation>
            <numerusform>%n Element</numerusform>
            <numerusform>%n Elemente</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>lookalike::DetailsPanel</name>
    <message>
        <source>Fit</source>
        <translation>Einpassen</translation>
    </message>
    <message>
        <source>Fit to window</source>
        <translation>In Fenster einpassen</translation>
    </message>
    <message>
        <source>1:1</source>
        <translation>1:1</translation>
    </message>
    <message>
        <source>Original size</source>
        <translation>Originalgröße</translation>
    </message>
    <message>
        <source>+</source>
        <translation>+</translation>
    </message>
    <message>
        <source>Zoom in</source>
        <translation>Vergrößern</translation>
    </message>
    <message>
        <source>−</source>
        <translation>−</translation>
    </message>
    <message>
        <source>Zoom out</source>
        <translation>Verkleinern</translation>
    </message>
    <message>
        <source>Find similar</source>
        <translation>Ähnliche finden</translation>
    </message>
    <message>
        <source>Search for images that look like this one</source>
        <translation>Nach Bildern suchen, die diesem ähneln</translation>
    </message>
    <message>
        <source>Add to query</source>
        <translation>Zur Abfrage</translation>
    </message>
    <message>
        <source>Use this image as a further example in the query</source>
        <translation>Dieses Bild als weiteres Beispiel in der Abfrage verwenden</translation>
    </message>
    <message>
        <source>Exclude</source>
        <translation>Ausschließen</translation>
    </message>
    <message>
        <source>Add this image to the query as a negative example</source>
        <translation>Dieses Bild als Negativbeispiel zur Abfrage hinzufügen</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Öffnen</translation>
    </message>
    <message>
        <source>Open the file in the default application</source>
        <translation>Die Datei in der Standardanwendung öffnen</translation>
    </message>
    <message>
        <source>Show in folder</source>
        <translation>Im Ordner anzeigen</translation>
    </message>
    <message>
        <source>Show the file in the file manager</source>
        <translation>Die Datei in der Dateiverwaltung anzeigen</translation>
    </message>
    <message>
        <source>Remove…</source>
        <translation>Entfernen…</translation>
    </message>
    <message>
        <source>Remove this item from the collection (the file stays on disk)</source>
        <translation>Dieses Element aus der Sammlung entfernen (die Datei bleibt auf dem Datenträger)</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>Feld</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Wert</translation>
    </message>
    <message>
        <source>Report</source>
        <translation>Befund</translation>
    </message>
    <message>
        <source>Metadata</source>
        <translation>Metadaten</translation>
    </message>
    <message>
        <source>unknown format</source>
        <translation>unbekanntes Format</translation>
    </message>
    <message>
        <source>%1 × %2 pixels, %3, %4</source>
        <translation>%1 × %2 Pixel, %3, %4</translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation>%1, %2</translation>
    </message>
    <message>
        <source>Score %1 (image %2, text %3)</source>
        <translation>Ähnlichkeit %1 (Bild %2, Text %3)</translation>
    </message>
    <message>
        <source>no match</source>
        <translation>kein Treffer</translation>
    </message>
    <message>
        <source>Not from a search</source>
        <translation>Nicht aus einer Suche</translation>
    </message>
    <message>
        <source>No report</source>
        <translation>Kein Befund</translation>
    </message>
    <message>
        <source>No item selected</source>
        <translation>Kein Element ausgewählt</translation>
    </message>
    <message>
        <source>%1%</source>
        <translation>%1 %</translation>
    </message>
    <message>
        <source>Text: %1</source>
        <translation>Text: %1</translation>
    </message>
</context>
<context>
    <name>lookalike::DuplicatesDialog</name>
    <message>
        <source>Not a duplicate</source>
        <translation>Kein Duplikat</translation>
    </message>
    <message>
        <source>Remove from collection…</source>
        <translation>Aus der Sammlung entfernen…</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>Exportieren…</translation>
    </message>
    <message>
        <source>Near-Duplicates</source>
        <translation>Beinahe-Duplikate</translation>
    </message>
    <message>
        <source>Pairs at least this similar count as near-duplicates</source>
        <translation>Paare, die mindestens so ähnlich sind, gelten als Beinahe-Duplikate</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Location</source>
        <translation>Speicherort</translation>
    </message>
    <message>
        <source>Remember that the selected images are not duplicates of each other (a single image: of the rest of its group)</source>
        <translation>Merken, dass die ausgewählten Bilder keine Duplikate voneinander sind (bei einem einzelnen Bild: nicht der übrigen Bilder seiner Gruppe)</translation>
    </message>
    <message>
        <source>Remove the selected images from the collection; the files stay on disk</source>
        <translation>Die ausgewählten Bilder aus der Sammlung entfernen; die Dateien bleiben auf dem Datenträger</translation>
    </message>
    <message>
        <source>Export the selected images</source>
        <translation>Die ausgewählten Bilder exportieren</translation>
    </message>
    <message>
        <source>&amp;Threshold:</source>
        <translation>&amp;Schwellenwert:</translation>
    </message>
    <message>
        <source>Finding near-duplicates…</source>
        <translation>Beinahe-Duplikate werden gesucht…</translation>
    </message>
    <message>
        <source>No collection is open.</source>
        <translation>Es ist keine Sammlung geöffnet.</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Abgebrochen</translation>
    </message>
    <message>
        <source>Could not find near-duplicates: %1</source>
        <translation>Beinahe-Duplikate konnten nicht gesucht werden: %1</translation>
    </message>
    <message>
        <source>No near-duplicates at or above %1.</source>
        <translation>Keine Beinahe-Duplikate mit Ähnlichkeit ab %1.</translation>
    </message>
    <message numerus="yes">
        <source>%n group(s) of near-duplicates, %1 images in all.</source>
        <translation>
            <numerusform>%n Gruppe von Beinahe-Duplikaten, insgesamt %1 Bilder.</numerusform>
            <numerusform>%n Gruppen von Beinahe-Duplikaten, insgesamt %1 Bilder.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Group %1 — %n image(s), similarity up to %2</source>
        <translation>
            <numerusform>Gruppe %1 – %n Bild, Ähnlichkeit bis %2</numerusform>
            <numerusform>Gruppe %1 – %n Bilder, Ähnlichkeit bis %2</numerusform>
        </translation>
    </message>
    <message>
        <source>Item %1</source>
        <translation>Element %1</translation>
    </message>
    <message>
        <source>Remove from Collection</source>
        <translation>Aus der Sammlung entfernen</translation>
    </message>
    <message numerus="yes">
        <source>Remove %n image(s) from the collection? The files stay on disk.</source>
        <translation>
            <numerusform>%n Bild aus der Sammlung entfernen? Die Datei bleibt auf dem Datenträger.</numerusform>
            <numerusform>%n Bilder aus der Sammlung entfernen? Die Dateien bleiben auf dem Datenträger.</numerusform>
        </translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <source>Only &amp;leaks across folders</source>
        <translation>Nur &amp;Lecks zwischen Ordnern</translation>
    </message>
    <message>
        <source>Only groups whose images lie in different folders below the one that holds every file of the collection, such as the same image in train/ and in test/</source>
        <translation>Nur Gruppen, deren Bilder in verschiedenen Ordnern unterhalb des Ordners liegen, der alle Dateien der Sammlung enthält, etwa dasselbe Bild in train/ und in test/</translation>
    </message>
    <message>
        <source>No near-duplicates across folders at or above %1.</source>
        <translation>Keine Beinahe-Duplikate zwischen Ordnern mit Ähnlichkeit ab %1.</translation>
    </message>
    <message numerus="yes">
        <source>%n group(s) of near-duplicates across folders, %1 images in all.</source>
        <translation>
            <numerusform>%n Gruppe von Beinahe-Duplikaten zwischen Ordnern, insgesamt %1 Bilder.</numerusform>
            <numerusform>%n Gruppen von Beinahe-Duplikaten zwischen Ordnern, insgesamt %1 Bilder.</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 — in %2</source>
        <translation>%1 — in %2</translation>
    </message>
</context>
<context>
    <name>lookalike::ErrorsDialog</name>
    <message>
        <source>Files not added</source>
        <translation>Nicht hinzugefügte Dateien</translation>
    </message>
    <message>
        <source>File</source>
        <translation>Datei</translation>
    </message>
    <message>
        <source>Stage</source>
        <translation>Schritt</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Meldung</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
    <message>
        <source>Copy all</source>
        <translation>Alles kopieren</translation>
    </message>
    <message>
        <source>Reading</source>
        <translation>Lesen</translation>
    </message>
    <message>
        <source>Decoding</source>
        <translation>Dekodieren</translation>
    </message>
    <message>
        <source>Embedding</source>
        <translation>Einbetten</translation>
    </message>
    <message>
        <source>Writing</source>
        <translation>Schreiben</translation>
    </message>
    <message>
        <source>Finding files</source>
        <translation>Dateisuche</translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) could not be added</source>
        <translation>
            <numerusform>%n Datei konnte nicht hinzugefügt werden</numerusform>
            <numerusform>%n Dateien konnten nicht hinzugefügt werden</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>lookalike::HistogramWidget</name>
    <message>
        <source>Drag the marker, or use the arrow keys, to set the similarity threshold</source>
        <translation>Ziehen Sie die Markierung oder verwenden Sie die Pfeiltasten, um den Ähnlichkeits-Schwellenwert festzulegen</translation>
    </message>
    <message numerus="yes">
        <source>%n pair(s) at or above %1</source>
        <translation>
            <numerusform>%n Paar ab %1</numerusform>
            <numerusform>%n Paare ab %1</numerusform>
        </translation>
    </message>
    <message>
        <source>log scale</source>
        <translation>logarithmische Skala</translation>
    </message>
</context>
<context>
    <name>lookalike::IngestStatusWidget</name>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Stop adding; what was added so far is kept</source>
        <translation>Hinzufügen anhalten; bisher Hinzugefügtes bleibt erhalten</translation>
    </message>
    <message>
        <source>Stopping after the files in progress…</source>
        <translation>Wird nach den gerade bearbeiteten Dateien angehalten…</translation>
    </message>
    <message>
        <source>Adding %1 files…</source>
        <translation>%1 Dateien werden hinzugefügt…</translation>
    </message>
    <message>
        <source>Looking for images…</source>
        <translation>Bilder werden gesucht…</translation>
    </message>
    <message>
        <source>Adding %1 / %2 · %3 images/s · %4 left</source>
        <translation>Hinzufügen %1 / %2 · %3 Bilder/s · noch %4</translation>
    </message>
    <message numerus="yes">
        <source>%n failed</source>
        <translation>
            <numerusform>%n fehlgeschlagen</numerusform>
            <numerusform>%n fehlgeschlagen</numerusform>
        </translation>
    </message>
    <message>
        <source>Stopped: %1 added, %2 updated, %3 unchanged</source>
        <translation>Angehalten: %1 hinzugefügt, %2 aktualisiert, %3 unverändert</translation>
    </message>
    <message>
        <source>Done: %1 added, %2 updated, %3 unchanged</source>
        <translation>Fertig: %1 hinzugefügt, %2 aktualisiert, %3 unverändert</translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) gone from disk</source>
        <translation>
            <numerusform>%n Datei nicht mehr auf dem Datenträger</numerusform>
            <numerusform>%n Dateien nicht mehr auf dem Datenträger</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n error(s)</source>
        <translation>
            <numerusform>%n Fehler</numerusform>
            <numerusform>%n Fehler</numerusform>
        </translation>
    </message>
    <message>
        <source>Adding failed: %1</source>
        <translation>Hinzufügen fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Downloading %1 / %2 links</source>
        <translation>Lade %1 / %2 Links herunter</translation>
    </message>
</context>
<context>
    <name>lookalike::MainWindow</name>
    <message>
        <source>Images (*.jpg *.jpeg *.png *.bmp *.gif *.tif *.tiff *.webp *.svg);;All files (*)</source>
        <translation>Bilder (*.jpg *.jpeg *.png *.bmp *.gif *.tif *.tiff *.webp *.svg);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Search failed: %1</source>
        <translation>Suche fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Choose example images</source>
        <translation>Beispielbilder auswählen</translation>
    </message>
    <message>
        <source>%1 cannot be used as an example: %2</source>
        <translation>%1 kann nicht als Beispiel verwendet werden: %2</translation>
    </message>
    <message>
        <source>&amp;New Collection…</source>
        <translation>&amp;Neue Sammlung…</translation>
    </message>
    <message>
        <source>&amp;Open Collection Folder…</source>
        <translation>Sammlungsordner ö&amp;ffnen…</translation>
    </message>
    <message>
        <source>Open a collection folder</source>
        <translation>Sammlungsordner öffnen</translation>
    </message>
    <message>
        <source>&amp;Import Folder…</source>
        <translation>Ordner &amp;importieren…</translation>
    </message>
    <message>
        <source>Ctrl+I</source>
        <translation>Ctrl+I</translation>
    </message>
    <message>
        <source>Add &amp;Files…</source>
        <translation>&amp;Dateien hinzufügen…</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Einstellungen…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;Find</source>
        <translation>Such&amp;begriff eingeben</translation>
    </message>
    <message>
        <source>&amp;Search</source>
        <translation>&amp;Suchen</translation>
    </message>
    <message>
        <source>Ctrl+Return</source>
        <translation>Ctrl+Return</translation>
    </message>
    <message>
        <source>Ctrl+Enter</source>
        <translation>Ctrl+Enter</translation>
    </message>
    <message>
        <source>&amp;Browse All Items</source>
        <translation>&amp;Alle Elemente anzeigen</translation>
    </message>
    <message>
        <source>Ctrl+Shift+A</source>
        <translation>Ctrl+Shift+A</translation>
    </message>
    <message>
        <source>&amp;Paste Image as Query</source>
        <translation>Bild als Abfrage &amp;einfügen</translation>
    </message>
    <message>
        <source>Ctrl+Shift+V</source>
        <translation>Ctrl+Shift+V</translation>
    </message>
    <message>
        <source>Find &amp;Similar</source>
        <translation>Ä&amp;hnliche finden</translation>
    </message>
    <message>
        <source>Ctrl+Shift+F</source>
        <translation>Ctrl+Shift+F</translation>
    </message>
    <message>
        <source>&amp;Add to Query</source>
        <translation>Zur &amp;Abfrage hinzufügen</translation>
    </message>
    <message>
        <source>Add as &amp;Negative</source>
        <translation>Als &amp;Negativbeispiel hinzufügen</translation>
    </message>
    <message>
        <source>&amp;Open</source>
        <translation>Ö&amp;ffnen</translation>
    </message>
    <message>
        <source>Ctrl+Shift+O</source>
        <translation>Ctrl+Shift+O</translation>
    </message>
    <message>
        <source>Show in &amp;Folder</source>
        <translation>Im &amp;Ordner anzeigen</translation>
    </message>
    <message>
        <source>&amp;Copy Path</source>
        <translation>Pfad &amp;kopieren</translation>
    </message>
    <message>
        <source>&amp;Remove from Collection…</source>
        <translation>Aus der Sammlung en&amp;tfernen…</translation>
    </message>
    <message>
        <source>&amp;Export Selected…</source>
        <translation>Auswahl &amp;exportieren…</translation>
    </message>
    <message>
        <source>Export All &amp;Results…</source>
        <translation>Alle E&amp;rgebnisse exportieren…</translation>
    </message>
    <message>
        <source>Ctrl+E</source>
        <translation>Ctrl+E</translation>
    </message>
    <message>
        <source>Find &amp;Duplicates…</source>
        <translation>&amp;Duplikate finden…</translation>
    </message>
    <message>
        <source>Ctrl+D</source>
        <translation>Ctrl+D</translation>
    </message>
    <message>
        <source>Ingest &amp;Errors…</source>
        <translation>&amp;Fehler beim Hinzufügen…</translation>
    </message>
    <message>
        <source>&amp;Larger Thumbnails</source>
        <translation>&amp;Größere Miniaturansichten</translation>
    </message>
    <message>
        <source>S&amp;maller Thumbnails</source>
        <translation>&amp;Kleinere Miniaturansichten</translation>
    </message>
    <message>
        <source>&amp;About Lookalike</source>
        <translation>&amp;Über Lookalike</translation>
    </message>
    <message>
        <source>About Lookalike</source>
        <translation>Über Lookalike</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Lookalike %1&lt;/b&gt;&lt;/p&gt;&lt;p&gt;Find similar images in local collections.&lt;/p&gt;&lt;p&gt;Everything stays on this computer: images, reports and searches are never sent anywhere unless you add images from a web address.&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Lookalike %1&lt;/b&gt;&lt;/p&gt;&lt;p&gt;Ähnliche Bilder in lokalen Sammlungen finden.&lt;/p&gt;&lt;p&gt;Alles bleibt auf diesem Computer: Bilder, Befunde und Suchen werden nirgendwohin gesendet, es sei denn, Sie fügen Bilder von einer Webadresse hinzu.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;Item</source>
        <translation>&amp;Element</translation>
    </message>
    <message>
        <source>&amp;Collection</source>
        <translation>Samm&amp;lung</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>Quit Lookalike</source>
        <translation>Lookalike beenden</translation>
    </message>
    <message>
        <source>Images are still being added. Stop and quit? What was added so far is kept.</source>
        <translation>Es werden noch Bilder hinzugefügt. Anhalten und beenden? Bisher Hinzugefügtes bleibt erhalten.</translation>
    </message>
    <message>
        <source>Open collection</source>
        <translation>Sammlung öffnen</translation>
    </message>
    <message>
        <source>Images are still being added to this collection. Stop adding and switch?</source>
        <translation>Zu dieser Sammlung werden noch Bilder hinzugefügt. Hinzufügen anhalten und wechseln?</translation>
    </message>
    <message>
        <source>Cannot open collection</source>
        <translation>Sammlung kann nicht geöffnet werden</translation>
    </message>
    <message>
        <source>Describe what you are looking for, or words in the reports</source>
        <translation>Beschreiben Sie, wonach Sie suchen, oder geben Sie Wörter aus den Befunden ein</translation>
    </message>
    <message>
        <source>Words to find in the reports</source>
        <translation>In den Befunden zu suchende Wörter</translation>
    </message>
    <message numerus="yes">
        <source>%n item(s)</source>
        <translation>
            <numerusform>%n Element</numerusform>
            <numerusform>%n Elemente</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 — Lookalike</source>
        <translation>%1 — Lookalike</translation>
    </message>
    <message>
        <source>Lookalike</source>
        <translation>Lookalike</translation>
    </message>
    <message>
        <source>Filters narrow a search: add words or example images.</source>
        <translation>Filter schränken eine Suche ein: Fügen Sie Wörter oder Beispielbilder hinzu.</translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation>Suche läuft…</translation>
    </message>
    <message numerus="yes">
        <source>%n result(s)</source>
        <translation>
            <numerusform>%n Ergebnis</numerusform>
            <numerusform>%n Ergebnisse</numerusform>
        </translation>
    </message>
    <message>
        <source>of %1 matches</source>
        <translation>von %1 Treffern</translation>
    </message>
    <message>
        <source>approximate index</source>
        <translation>Näherungsindex</translation>
    </message>
    <message numerus="yes">
        <source>Copied %n path(s)</source>
        <translation>
            <numerusform>%n Pfad kopiert</numerusform>
            <numerusform>%n Pfade kopiert</numerusform>
        </translation>
    </message>
    <message>
        <source>Remove from collection</source>
        <translation>Aus der Sammlung entfernen</translation>
    </message>
    <message numerus="yes">
        <source>Remove %n item(s) from the collection? The files on disk are not touched.</source>
        <translation>
            <numerusform>%n Element aus der Sammlung entfernen? Die Dateien auf dem Datenträger bleiben unberührt.</numerusform>
            <numerusform>%n Elemente aus der Sammlung entfernen? Die Dateien auf dem Datenträger bleiben unberührt.</numerusform>
        </translation>
    </message>
    <message>
        <source>Cannot remove items</source>
        <translation>Elemente können nicht entfernt werden</translation>
    </message>
    <message numerus="yes">
        <source>Removed %n item(s)</source>
        <translation>
            <numerusform>%n Element entfernt</numerusform>
            <numerusform>%n Elemente entfernt</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Export %n image(s) to</source>
        <translation>
            <numerusform>%n Bild exportieren nach</numerusform>
            <numerusform>%n Bilder exportieren nach</numerusform>
        </translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>Export fehlgeschlagen</translation>
    </message>
    <message numerus="yes">
        <source>Exported %n file(s) and results.csv to %1</source>
        <translation>
            <numerusform>%n Datei und results.csv nach %1 exportiert</numerusform>
            <numerusform>%n Dateien und results.csv nach %1 exportiert</numerusform>
        </translation>
    </message>
    <message>
        <source>Files that could not be exported</source>
        <translation>Dateien, die nicht exportiert werden konnten</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>Export läuft…</translation>
    </message>
    <message>
        <source>My images</source>
        <translation>Meine Bilder</translation>
    </message>
    <message>
        <source>Model %1 is not available (%2); using %3.</source>
        <translation>Modell %1 ist nicht verfügbar (%2); %3 wird verwendet.</translation>
    </message>
    <message>
        <source>Cannot create collection</source>
        <translation>Sammlung kann nicht angelegt werden</translation>
    </message>
    <message>
        <source>Delete collection</source>
        <translation>Sammlung löschen</translation>
    </message>
    <message>
        <source>Delete the collection in %1? Its index, thumbnails and reports are deleted; the original image files are not touched.</source>
        <translation>Die Sammlung in %1 löschen? Ihr Index, ihre Miniaturansichten und Befunde werden gelöscht; die Originalbilddateien bleiben unberührt.</translation>
    </message>
    <message>
        <source>Cannot delete collection</source>
        <translation>Sammlung kann nicht gelöscht werden</translation>
    </message>
    <message>
        <source>Cannot rename collection</source>
        <translation>Sammlung kann nicht umbenannt werden</translation>
    </message>
    <message>
        <source>Import a folder of images</source>
        <translation>Bilderordner importieren</translation>
    </message>
    <message>
        <source>Add images</source>
        <translation>Bilder hinzufügen</translation>
    </message>
    <message>
        <source>Not added (only files, folders and http/https links can be added): %1</source>
        <translation>Nicht hinzugefügt (nur Dateien, Ordner und http/https-Links können hinzugefügt werden): %1</translation>
    </message>
    <message>
        <source>No collection open</source>
        <translation>Keine Sammlung geöffnet</translation>
    </message>
    <message>
        <source>Create a new collection for these images?</source>
        <translation>Eine neue Sammlung für diese Bilder anlegen?</translation>
    </message>
    <message>
        <source>The dropped image could not be saved into the collection.</source>
        <translation>Das abgelegte Bild konnte nicht in der Sammlung gespeichert werden.</translation>
    </message>
    <message>
        <source>The clipboard holds no image.</source>
        <translation>Die Zwischenablage enthält kein Bild.</translation>
    </message>
    <message>
        <source>Pasted image</source>
        <translation>Eingefügtes Bild</translation>
    </message>
    <message>
        <source>No demo images</source>
        <translation>Keine Demobilder</translation>
    </message>
    <message>
        <source>The demo indexes the photos of the plasma-workspace-wallpapers package, which is not installed. Drop a folder of your own images onto the window instead.</source>
        <translation>Die Demo indiziert die Fotos des Pakets plasma-workspace-wallpapers, das nicht installiert ist. Ziehen Sie stattdessen einen Ordner mit eigenen Bildern auf das Fenster.</translation>
    </message>
    <message>
        <source>Demo</source>
        <translation>Demo</translation>
    </message>
    <message>
        <source>Ctrl+K</source>
        <translation>Ctrl+K</translation>
    </message>
    <message>
        <source>Ctrl+Shift+K</source>
        <translation>Ctrl+Shift+K</translation>
    </message>
    <message>
        <source>no report contains all the words; showing reports that contain any of them</source>
        <translation>kein Befund enthält alle Wörter; angezeigt werden Befunde, die eines davon enthalten</translation>
    </message>
    <message>
        <source>Loading the model %1…</source>
        <translation>Das Modell %1 wird geladen…</translation>
    </message>
    <message>
        <source>The model %1 is ready.</source>
        <translation>Das Modell %1 ist bereit.</translation>
    </message>
    <message>
        <source>The model %1 is not available (%2). The collection can still be browsed and searched by its items and by words.</source>
        <translation>Das Modell %1 ist nicht verfügbar (%2). Die Sammlung kann weiterhin durchsucht und nach ihren Elementen und nach Wörtern abgefragt werden.</translation>
    </message>
    <message>
        <source>&amp;Models…</source>
        <translation>&amp;Modelle…</translation>
    </message>
    <message>
        <source>The images are added once the model %1 has loaded.</source>
        <translation>Die Bilder werden hinzugefügt, sobald das Modell %1 geladen ist.</translation>
    </message>
    <message>
        <source>The new device applies to models loaded from now on; open the collection again to move its model.</source>
        <translation>Das neue Gerät gilt für Modelle, die ab jetzt geladen werden; öffnen Sie die Sammlung erneut, um ihr Modell zu verlagern.</translation>
    </message>
    <message>
        <source>Add from &amp;URLs…</source>
        <translation>Aus &amp;URLs hinzufügen…</translation>
    </message>
    <message>
        <source>Add from URLs</source>
        <translation>Aus URLs hinzufügen</translation>
    </message>
    <message>
        <source>Links to images, one a line (http or https). Each image is downloaded into the collection, so it stays available offline.</source>
        <translation>Links zu Bildern, einer pro Zeile (http oder https). Jedes Bild wird in die Sammlung heruntergeladen und bleibt so auch offline verfügbar.</translation>
    </message>
    <message>
        <source>Find &amp;Outliers</source>
        <translation>&amp;Ausreißer finden</translation>
    </message>
    <message>
        <source>Finding outliers…</source>
        <translation>Ausreißer werden gesucht…</translation>
    </message>
    <message numerus="yes">
        <source>%n outlier(s): the images least like their %1 nearest neighbours, most unusual first</source>
        <translation>
            <numerusform>%n Ausreißer: die Bilder, die ihren %1 nächsten Nachbarn am wenigsten ähneln, die ungewöhnlichsten zuerst</numerusform>
            <numerusform>%n Ausreißer: die Bilder, die ihren %1 nächsten Nachbarn am wenigsten ähneln, die ungewöhnlichsten zuerst</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>lookalike::ModelDownloadDialog</name>
    <message>
        <source>Default: the repository&apos;s name</source>
        <translation>Standard: der Name des Repositorys</translation>
    </message>
    <message>
        <source>https://example.org/my-model/config.json
https://example.org/my-model/model.safetensors  &lt;SHA-256&gt;</source>
        <translation>https://example.org/mein-modell/config.json
https://example.org/mein-modell/model.safetensors  &lt;SHA-256&gt;</translation>
    </message>
    <message>
        <source>Not started</source>
        <translation>Nicht gestartet</translation>
    </message>
    <message>
        <source>Required</source>
        <translation>Erforderlich</translation>
    </message>
    <message>
        <source>Enter the repository as organisation/name, for example google/siglip-base-patch16-224.</source>
        <translation>Geben Sie das Repository als Organisation/Name ein, zum Beispiel google/siglip-base-patch16-224.</translation>
    </message>
    <message>
        <source>The list cannot be used: %1</source>
        <translation>Die Liste kann nicht verwendet werden: %1</translation>
    </message>
    <message>
        <source>Enter a folder name for the files of the list.</source>
        <translation>Geben Sie einen Ordnernamen für die Dateien der Liste ein.</translation>
    </message>
    <message>
        <source>Checking that the model loads…</source>
        <translation>Es wird geprüft, ob sich das Modell laden lässt…</translation>
    </message>
    <message>
        <source>the files arrived in %1, but they do not load as a model: %2</source>
        <translation>Die Dateien sind in %1 angekommen, lassen sich aber nicht als Modell laden: %2</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Verbindung wird hergestellt…</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>Wird abgebrochen…</translation>
    </message>
    <message>
        <source>%1: %2 of %3</source>
        <translation>%1: %2 von %3</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>File %1 of %2, %3 in all</source>
        <translation>Datei %1 von %2, insgesamt %3</translation>
    </message>
    <message numerus="yes">
        <source>%n file(s), %1 in all</source>
        <translation>
            <numerusform>%n Datei, insgesamt %1</numerusform>
            <numerusform>%n Dateien, insgesamt %1</numerusform>
        </translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Fertig</translation>
    </message>
    <message numerus="yes">
        <source>Installed %1 (%2, %n dimension(s), %3).</source>
        <translation>
            <numerusform>%1 installiert (%2, %n Dimension, %3).</numerusform>
            <numerusform>%1 installiert (%2, %n Dimensionen, %3).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) matched their SHA-256.</source>
        <translation>
            <numerusform>%n Datei stimmte mit ihrer SHA-256 überein.</numerusform>
            <numerusform>%n Dateien stimmten mit ihrer SHA-256 überein.</numerusform>
        </translation>
    </message>
    <message>
        <source>Resumed: %1 of it had arrived before.</source>
        <translation>Fortgesetzt: %1 davon war bereits zuvor angekommen.</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Abgebrochen</translation>
    </message>
    <message>
        <source>Cancelled. What arrived is kept: start the same download again to resume it.</source>
        <translation>Abgebrochen. Was angekommen ist, bleibt erhalten: Starten Sie denselben Download erneut, um ihn fortzusetzen.</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fehlgeschlagen</translation>
    </message>
    <message>
        <source>The download failed: %1</source>
        <translation>Der Download ist fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Start it again to resume.</source>
        <translation>Starten Sie ihn erneut, um fortzufahren.</translation>
    </message>
</context>
<context>
    <name>lookalike::ModelListModel</name>
    <message>
        <source>Classic</source>
        <translation>Klassisch</translation>
    </message>
    <message>
        <source>Classic (built in)</source>
        <translation>Klassisch (eingebaut)</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message numerus="yes">
        <source>%1 — %2, %n dimension(s)</source>
        <translation>
            <numerusform>%1 — %2, %n Dimension</numerusform>
            <numerusform>%1 — %2, %n Dimensionen</numerusform>
        </translation>
    </message>
    <message>
        <source>Built into Lookalike</source>
        <translation>In Lookalike eingebaut</translation>
    </message>
    <message>
        <source>Model id: %1</source>
        <translation>Modellkennung: %1</translation>
    </message>
    <message>
        <source>The default model for new collections</source>
        <translation>Das Standardmodell für neue Sammlungen</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>unbekannt</translation>
    </message>
    <message>
        <source>built in</source>
        <translation>eingebaut</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <source>no</source>
        <translation>nein</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Family</source>
        <translation>Familie</translation>
    </message>
    <message>
        <source>Dimensions</source>
        <translation>Dimensionen</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>Gerät</translation>
    </message>
    <message>
        <source>Text search</source>
        <translation>Textsuche</translation>
    </message>
    <message>
        <source>automatic</source>
        <translation>automatisch</translation>
    </message>
</context>
<context>
    <name>lookalike::ModelsDialog</name>
    <message>
        <source>Models folder: %1</source>
        <translation>Modellordner: %1</translation>
    </message>
    <message>
        <source>Choose a model folder</source>
        <translation>Modellordner auswählen</translation>
    </message>
    <message>
        <source>Choose a TorchScript image encoder</source>
        <translation>TorchScript-Bild-Encoder auswählen</translation>
    </message>
    <message>
        <source>TorchScript modules (*.pt);;All files (*)</source>
        <translation>TorchScript-Module (*.pt);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Loading %1 to check it, then copying it into the models folder…</source>
        <translation>%1 wird zur Prüfung geladen und dann in den Modellordner kopiert…</translation>
    </message>
    <message>
        <source>Cannot add the model</source>
        <translation>Das Modell kann nicht hinzugefügt werden</translation>
    </message>
    <message>
        <source>%1 cannot be added: %2</source>
        <translation>%1 kann nicht hinzugefügt werden: %2</translation>
    </message>
    <message>
        <source>Added %1.</source>
        <translation>%1 hinzugefügt.</translation>
    </message>
    <message>
        <source>Remove model</source>
        <translation>Modell entfernen</translation>
    </message>
    <message>
        <source>Delete the model %1 (%2) from the models folder? Collections made with it can still be browsed and searched by words, but adding images and searching by example images need it installed again.</source>
        <translation>Das Modell %1 (%2) aus dem Modellordner löschen? Damit erstellte Sammlungen können weiterhin durchsucht und nach Wörtern abgefragt werden; zum Hinzufügen von Bildern und für die Suche nach Beispielbildern muss es aber wieder installiert werden.</translation>
    </message>
    <message>
        <source>Cannot remove the model</source>
        <translation>Das Modell kann nicht entfernt werden</translation>
    </message>
    <message>
        <source>Removed %1.</source>
        <translation>%1 entfernt.</translation>
    </message>
</context>
<context>
    <name>lookalike::NewCollectionDialog</name>
    <message>
        <source>Finds images by example images and by describing them in words.</source>
        <translation>Findet Bilder anhand von Beispielbildern und anhand einer Beschreibung in Worten.</translation>
    </message>
    <message>
        <source>Finds images by example images, and by words in their reports.</source>
        <translation>Findet Bilder anhand von Beispielbildern und anhand von Wörtern in ihren Befunden.</translation>
    </message>
</context>
<context>
    <name>lookalike::QueryBar</name>
    <message>
        <source>A filter must look like key=value: &quot;%1&quot;</source>
        <translation>Ein Filter muss die Form Schlüssel=Wert haben: „%1“</translation>
    </message>
    <message>
        <source>Words to find in the reports</source>
        <translation>In den Befunden zu suchende Wörter</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>Suchen</translation>
    </message>
    <message>
        <source>Search (Ctrl+Enter)</source>
        <translation>Suchen (Strg+Eingabe)</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>Leeren</translation>
    </message>
    <message>
        <source>Clear the query and browse the whole collection</source>
        <translation>Die Abfrage leeren und die ganze Sammlung durchblättern</translation>
    </message>
    <message>
        <source>Drop, paste or browse example images here</source>
        <translation>Beispielbilder hier ablegen, einfügen oder auswählen</translation>
    </message>
    <message>
        <source>Image…</source>
        <translation>Bild…</translation>
    </message>
    <message>
        <source>Choose an example image</source>
        <translation>Ein Beispielbild auswählen</translation>
    </message>
    <message>
        <source>How much the image part counts against the text part when a query has both</source>
        <translation>Wie stark der Bildanteil gegenüber dem Textanteil zählt, wenn eine Abfrage beides enthält</translation>
    </message>
    <message>
        <source>Image %1% · Text %2%</source>
        <translation>Bild %1 % · Text %2 %</translation>
    </message>
    <message>
        <source>Top </source>
        <translation>Top </translation>
    </message>
    <message>
        <source>Number of results</source>
        <translation>Anzahl der Ergebnisse</translation>
    </message>
    <message>
        <source>Min. score</source>
        <translation>Min. Ähnlichkeit</translation>
    </message>
    <message>
        <source>Filters: key=value; key=value</source>
        <translation>Filter: Schlüssel=Wert; Schlüssel=Wert</translation>
    </message>
    <message>
        <source>Negative example: results should not look like this. Click to make it positive.</source>
        <translation>Negativbeispiel: Ergebnisse sollen nicht so aussehen. Klicken, um es zum Positivbeispiel zu machen.</translation>
    </message>
    <message>
        <source>Positive example: results should look like this. Click to make it negative.</source>
        <translation>Positivbeispiel: Ergebnisse sollen so aussehen. Klicken, um es zum Negativbeispiel zu machen.</translation>
    </message>
    <message>
        <source>Remove this example</source>
        <translation>Dieses Beispiel entfernen</translation>
    </message>
    <message>
        <source>Item %1</source>
        <translation>Element %1</translation>
    </message>
    <message>
        <source>Dropped image</source>
        <translation>Abgelegtes Bild</translation>
    </message>
</context>
<context>
    <name>lookalike::ResultsModel</name>
    <message>
        <source>%1 × %2 px, %3</source>
        <translation>%1 × %2 px, %3</translation>
    </message>
    <message>
        <source>Score %1 (image %2, text %3)</source>
        <translation>Ähnlichkeit %1 (Bild %2, Text %3)</translation>
    </message>
    <message>
        <source>Text: %1</source>
        <translation>Text: %1</translation>
    </message>
</context>
<context>
    <name>lookalike::SettingsDialog</name>
    <message>
        <source>Enter the folder where new collections are created.</source>
        <translation>Geben Sie den Ordner ein, in dem neue Sammlungen angelegt werden.</translation>
    </message>
    <message>
        <source>The library folder must be an absolute path, such as %1.</source>
        <translation>Der Bibliotheksordner muss ein absoluter Pfad sein, zum Beispiel %1.</translation>
    </message>
    <message>
        <source>“%1” is a file, not a folder.</source>
        <translation>„%1“ ist eine Datei, kein Ordner.</translation>
    </message>
    <message>
        <source>The folder “%1” cannot be created. Choose a folder you can write to.</source>
        <translation>Der Ordner „%1“ kann nicht angelegt werden. Wählen Sie einen Ordner, in den Sie schreiben dürfen.</translation>
    </message>
    <message>
        <source>The folder “%1” is not writable. Choose a folder you can write to.</source>
        <translation>Der Ordner „%1“ ist nicht beschreibbar. Wählen Sie einen Ordner, in den Sie schreiben dürfen.</translation>
    </message>
    <message>
        <source>Library Folder</source>
        <translation>Bibliotheksordner</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Find similar images in local collections.</source>
        <translation>Ähnliche Bilder in lokalen Sammlungen finden.</translation>
    </message>
    <message>
        <source>A collection folder to open, or images and folders to add to the collection opened last.</source>
        <translation>Ein zu öffnender Sammlungsordner oder Bilder und Ordner, die zur zuletzt geöffneten Sammlung hinzugefügt werden.</translation>
    </message>
    <message>
        <source>Save a picture of the window to FILE once it has settled, then quit.</source>
        <translation>Ein Bild des Fensters in FILE speichern, sobald es fertig aufgebaut ist, und dann beenden.</translation>
    </message>
    <message>
        <source>Open the demo collection, built from the photos of Debian&apos;s plasma-workspace-wallpapers package, and search by one of them.</source>
        <translation>Die Demo-Sammlung öffnen, die aus den Fotos des Debian-Pakets plasma-workspace-wallpapers erstellt wird, und nach einem davon suchen.</translation>
    </message>
</context>
</TS>
