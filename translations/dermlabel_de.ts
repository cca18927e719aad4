<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>dl</name>
    <message>
        <source>Not a JPEG file (no SOI marker).</source>
        <translation>Keine JPEG-Datei (kein SOI-Marker).</translation>
    </message>
    <message>
        <source>The JPEG file is truncated: it ends without an EOI marker.</source>
        <translation>Die JPEG-Datei ist abgeschnitten: Sie endet ohne EOI-Marker.</translation>
    </message>
    <message>
        <source>Corrupt JPEG: expected a marker at offset %1, found byte %2.</source>
        <translation>Beschädigtes JPEG: an Position %1 wurde ein Marker erwartet, Byte %2 gefunden.</translation>
    </message>
    <message>
        <source>The JPEG file is truncated: it ends inside a marker.</source>
        <translation>Die JPEG-Datei ist abgeschnitten: Sie endet mitten in einem Marker.</translation>
    </message>
    <message>
        <source>Corrupt JPEG: unexpected marker %1 at offset %2.</source>
        <translation>Beschädigtes JPEG: unerwarteter Marker %1 an Position %2.</translation>
    </message>
    <message>
        <source>Corrupt JPEG: EOI before any scan.</source>
        <translation>Beschädigtes JPEG: EOI vor jedem Scan.</translation>
    </message>
    <message>
        <source>The JPEG file is truncated: segment %1 at offset %2 is cut short.</source>
        <translation>Die JPEG-Datei ist abgeschnitten: Segment %1 an Position %2 ist unvollständig.</translation>
    </message>
    <message>
        <source>Corrupt JPEG: segment %1 at offset %2 has the invalid length %3.</source>
        <translation>Beschädigtes JPEG: Segment %1 an Position %2 hat die ungültige Länge %3.</translation>
    </message>
    <message>
        <source>The JPEG file is truncated: segment %1 at offset %2 needs %3 bytes, %4 are left.</source>
        <translation>Die JPEG-Datei ist abgeschnitten: Segment %1 an Position %2 braucht %3 Bytes, %4 sind übrig.</translation>
    </message>
    <message>
        <source>Corrupt JPEG: a scan (SOS) before the frame header (SOF).</source>
        <translation>Beschädigtes JPEG: ein Scan (SOS) vor dem Frame-Header (SOF).</translation>
    </message>
    <message>
        <source>The JPEG file is truncated: the scan data starting at offset %1 does not end in a marker.</source>
        <translation>Die JPEG-Datei ist abgeschnitten: Die Scandaten ab Position %1 enden nicht mit einem Marker.</translation>
    </message>
    <message>
        <source>The JPEG file is truncated: it ends inside the scan data.</source>
        <translation>Die JPEG-Datei ist abgeschnitten: Sie endet mitten in den Scandaten.</translation>
    </message>
    <message>
        <source>Not a PNG file (no PNG signature).</source>
        <translation>Keine PNG-Datei (keine PNG-Signatur).</translation>
    </message>
    <message>
        <source>The PNG file is truncated: it ends without an IEND chunk.</source>
        <translation>Die PNG-Datei ist abgeschnitten: Sie endet ohne IEND-Block.</translation>
    </message>
    <message>
        <source>Corrupt PNG: invalid chunk type at offset %1.</source>
        <translation>Beschädigtes PNG: ungültiger Blocktyp an Position %1.</translation>
    </message>
    <message>
        <source>Corrupt PNG: chunk %1 at offset %2 has the invalid length %3.</source>
        <translation>Beschädigtes PNG: Block %1 an Position %2 hat die ungültige Länge %3.</translation>
    </message>
    <message>
        <source>The PNG file is truncated: chunk %1 at offset %2 is cut short.</source>
        <translation>Die PNG-Datei ist abgeschnitten: Block %1 an Position %2 ist unvollständig.</translation>
    </message>
    <message>
        <source>Corrupt PNG: the first chunk is not a 13-byte IHDR.</source>
        <translation>Beschädigtes PNG: Der erste Block ist kein 13-Byte-IHDR.</translation>
    </message>
    <message>
        <source>Unsupported PNG: unknown critical chunk %1.</source>
        <translation>Nicht unterstütztes PNG: unbekannter kritischer Block %1.</translation>
    </message>
    <message>
        <source>Corrupt PNG: the CRC of chunk %1 at offset %2 is wrong.</source>
        <translation>Beschädigtes PNG: Die CRC von Block %1 an Position %2 ist falsch.</translation>
    </message>
    <message>
        <source>Corrupt PNG: a second IHDR chunk.</source>
        <translation>Beschädigtes PNG: ein zweiter IHDR-Block.</translation>
    </message>
    <message>
        <source>Corrupt PNG: no IDAT chunk before IEND.</source>
        <translation>Beschädigtes PNG: kein IDAT-Block vor IEND.</translation>
    </message>
    <message>
        <source> and %1 more</source>
        <translation> und %1 weitere</translation>
    </message>
    <message>
        <source>Case %1, column %2: %3</source>
        <translation>Fall %1, Spalte %2: %3</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a Fitzpatrick type; kept as an attribute only.</source>
        <translation>„%1“ ist kein Fitzpatrick-Hauttyp; nur als Attribut behalten.</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a Monk skin tone.</source>
        <translation>„%1“ ist kein Monk-Hautton.</translation>
    </message>
    <message>
        <source>Field &quot;%1&quot; is %2, so its values must be numbers, but item &quot;%3&quot; has the value &quot;%4&quot; (rater &quot;%5&quot;).</source>
        <translation>Feld „%1“ ist %2, daher müssen seine Werte Zahlen sein, aber Element „%3“ hat den Wert „%4“ (Bewerter „%5“).</translation>
    </message>
    <message>
        <source>No item has two or more ratings.</source>
        <translation>Kein Element hat zwei oder mehr Bewertungen.</translation>
    </message>
    <message>
        <source>Items have different numbers of ratings (%1 to %2); Fleiss&apos; kappa needs the same number for every item.</source>
        <translation>Die Elemente haben unterschiedlich viele Bewertungen (%1 bis %2); Fleiss’ Kappa braucht für jedes Element gleich viele.</translation>
    </message>
    <message>
        <source>Only one category was used, so chance agreement is 1 and kappa is undefined.</source>
        <translation>Nur eine Kategorie wurde verwendet, daher ist die Zufallsübereinstimmung 1 und Kappa nicht definiert.</translation>
    </message>
    <message>
        <source>There is not enough memory for this operation; nothing more was done.</source>
        <translation>Für diesen Vorgang reicht der Speicher nicht; es wurde nichts weiter getan.</translation>
    </message>
    <message>
        <source>The image processing library reported an error; nothing more was done: %1</source>
        <translation>Die Bildverarbeitungsbibliothek meldete einen Fehler; es wurde nichts weiter getan: %1</translation>
    </message>
    <message>
        <source>An unexpected error stopped this operation; nothing more was done: %1</source>
        <translation>Ein unerwarteter Fehler hat diesen Vorgang abgebrochen; es wurde nichts weiter getan: %1</translation>
    </message>
    <message>
        <source>An unexpected error stopped this operation; nothing more was done.</source>
        <translation>Ein unerwarteter Fehler hat diesen Vorgang abgebrochen; es wurde nichts weiter getan.</translation>
    </message>
    <message>
        <source>the folder is not empty and holds no manifest.json</source>
        <translation>der Ordner ist nicht leer und enthält keine manifest.json</translation>
    </message>
    <message>
        <source>its manifest.json is too large to be a bundle&apos;s</source>
        <translation>seine manifest.json ist zu groß für die eines Pakets</translation>
    </message>
    <message>
        <source>its manifest.json was not written by DermLabel</source>
        <translation>seine manifest.json wurde nicht von DermLabel geschrieben</translation>
    </message>
    <message>
        <source>it holds %1, which its manifest does not list</source>
        <translation>er enthält %1, das sein Manifest nicht aufführt</translation>
    </message>
    <message>
        <source>the file is not a zip archive</source>
        <translation>die Datei ist kein Zip-Archiv</translation>
    </message>
    <message>
        <source>the archive holds no manifest.json</source>
        <translation>das Archiv enthält keine manifest.json</translation>
    </message>
    <message>
        <source>its manifest.json cannot be read</source>
        <translation>seine manifest.json ist nicht lesbar</translation>
    </message>
    <message>
        <source>tag %1 has the type %2</source>
        <translation>Tag %1 hat den Typ %2</translation>
    </message>
    <message>
        <source>tag %1 (%2) is too short</source>
        <translation>Tag %1 (%2) ist zu kurz</translation>
    </message>
    <message>
        <source>tag %1 has the unknown parametric curve type %2</source>
        <translation>Tag %1 hat den unbekannten parametrischen Kurventyp %2</translation>
    </message>
    <message>
        <source>Not valid JSON: %1 at offset %2.</source>
        <translation>Kein gültiges JSON: %1 an Position %2.</translation>
    </message>
    <message>
        <source>A LabelMe file must be a JSON object.</source>
        <translation>Eine LabelMe-Datei muss ein JSON-Objekt sein.</translation>
    </message>
    <message>
        <source>The LabelMe file has no &quot;imagePath&quot;.</source>
        <translation>Die LabelMe-Datei hat kein „imagePath“.</translation>
    </message>
    <message>
        <source>The LabelMe file needs a positive integer &quot;imageWidth&quot; and &quot;imageHeight&quot;.</source>
        <translation>Die LabelMe-Datei braucht positive ganze Zahlen „imageWidth“ und „imageHeight“.</translation>
    </message>
    <message>
        <source>Malformed ICC profile: an APP2 chunk without sequence number and count.</source>
        <translation>Fehlerhaftes ICC-Profil: ein APP2-Block ohne Sequenznummer und Anzahl.</translation>
    </message>
    <message>
        <source>Malformed ICC profile: its APP2 chunks are not numbered 1 to %1 once each.</source>
        <translation>Fehlerhaftes ICC-Profil: Seine APP2-Blöcke sind nicht genau einmal von 1 bis %1 nummeriert.</translation>
    </message>
    <message>
        <source>Malformed ICC profile: %1 of its %2 APP2 chunks are present.</source>
        <translation>Fehlerhaftes ICC-Profil: %1 seiner %2 APP2-Blöcke sind vorhanden.</translation>
    </message>
    <message>
        <source>Malformed ICC profile: larger than %1 bytes.</source>
        <translation>Fehlerhaftes ICC-Profil: größer als %1 Bytes.</translation>
    </message>
    <message>
        <source>Malformed ICC profile: too large for 255 APP2 chunks.</source>
        <translation>Fehlerhaftes ICC-Profil: zu groß für 255 APP2-Blöcke.</translation>
    </message>
    <message>
        <source>Cannot start zlib.</source>
        <translation>zlib kann nicht gestartet werden.</translation>
    </message>
    <message>
        <source>Malformed ICC profile: it inflates to more than %1 bytes.</source>
        <translation>Fehlerhaftes ICC-Profil: Entpackt ist es größer als %1 Bytes.</translation>
    </message>
    <message>
        <source>Malformed ICC profile: its compressed data is corrupt or cut short.</source>
        <translation>Fehlerhaftes ICC-Profil: Seine komprimierten Daten sind beschädigt oder abgeschnitten.</translation>
    </message>
    <message>
        <source>Malformed ICC profile: the iCCP chunk has no valid name.</source>
        <translation>Fehlerhaftes ICC-Profil: Der iCCP-Block hat keinen gültigen Namen.</translation>
    </message>
    <message>
        <source>Malformed ICC profile: unknown iCCP compression method %1.</source>
        <translation>Fehlerhaftes ICC-Profil: unbekannte iCCP-Kompressionsmethode %1.</translation>
    </message>
    <message>
        <source>Cannot compress the ICC profile.</source>
        <translation>Das ICC-Profil kann nicht komprimiert werden.</translation>
    </message>
    <message>
        <source>the local PostgreSQL server</source>
        <translation>der lokale PostgreSQL-Server</translation>
    </message>
    <message>
        <source>(your login name)</source>
        <translation>(Ihr Anmeldename)</translation>
    </message>
    <message>
        <source>The table %1 is missing from the store %2.</source>
        <translation>Die Tabelle %1 fehlt in der Ablage %2.</translation>
    </message>
    <message>
        <source>The table %1 has no primary key to copy it by.</source>
        <translation>Die Tabelle %1 hat keinen Primärschlüssel, über den sie kopiert werden könnte.</translation>
    </message>
</context>
<context>
    <name>dl::AgreementReport</name>
    <message>
        <source>%1: no ratings for the field(s) given a level: %2.</source>
        <translation>%1: keine Bewertungen für die Felder, denen ein Niveau gegeben wurde: %2.</translation>
    </message>
</context>
<context>
    <name>dl::AgreementTableModel</name>
    <message>
        <source>good (α ≥ 0.800)</source>
        <translation>gut (α ≥ 0,800)</translation>
    </message>
    <message>
        <source>tentative (0.667 ≤ α &lt; 0.800)</source>
        <translation>vorläufig (0,667 ≤ α &lt; 0,800)</translation>
    </message>
    <message>
        <source>poor (α &lt; 0.667)</source>
        <translation>schwach (α &lt; 0,667)</translation>
    </message>
    <message>
        <source>not computable</source>
        <translation>nicht berechenbar</translation>
    </message>
    <message>
        <source>%1 images with at least two ratings; %2 ratings on them</source>
        <translation>%1 Bilder mit mindestens zwei Bewertungen; %2 Bewertungen darauf</translation>
    </message>
    <message>
        <source>Krippendorff&apos;s alpha (%1): %2</source>
        <translation>Krippendorffs Alpha (%1): %2</translation>
    </message>
    <message>
        <source>Bootstrap percentile interval, %1 replicates</source>
        <translation>Bootstrap-Perzentilintervall, %1 Wiederholungen</translation>
    </message>
    <message>
        <source>Press “Confidence intervals” to run the bootstrap</source>
        <translation>„Konfidenzintervalle“ drücken, um den Bootstrap zu starten</translation>
    </message>
    <message>
        <source>%1 / %2: %3 (%4 images)</source>
        <translation>%1 / %2: %3 (%4 Bilder)</translation>
    </message>
    <message>
        <source>%1 %2: %3 images rated, %4 with at least two ratings</source>
        <translation>%1 %2: %3 Bilder bewertet, %4 mit mindestens zwei Bewertungen</translation>
    </message>
    <message>
        <source>Krippendorff&apos;s alpha for %1 %2</source>
        <translation>Krippendorffs Alpha für %1 %2</translation>
    </message>
    <message>
        <source>Images with at least two ratings for %1 %2</source>
        <translation>Bilder mit mindestens zwei Bewertungen für %1 %2</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>Feld</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>Niveau</translation>
    </message>
    <message>
        <source>Cases</source>
        <translation>Fälle</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>Bilder</translation>
    </message>
    <message>
        <source>Raters</source>
        <translation>Bewerter</translation>
    </message>
    <message>
        <source>Agreement</source>
        <translation>Übereinstimmung</translation>
    </message>
    <message>
        <source>Fleiss κ</source>
        <translation>Fleiss’ κ</translation>
    </message>
    <message>
        <source>α</source>
        <translation>α</translation>
    </message>
    <message>
        <source>α 95% CI</source>
        <translation>α 95-%-KI</translation>
    </message>
    <message>
        <source>Mean pair κ</source>
        <translation>Mittleres Paar-κ</translation>
    </message>
    <message>
        <source>Cases with at least two ratings</source>
        <translation>Fälle mit mindestens zwei Bewertungen</translation>
    </message>
    <message>
        <source>Images with at least two ratings</source>
        <translation>Bilder mit mindestens zwei Bewertungen</translation>
    </message>
    <message>
        <source>Percent agreement: mean share of agreeing rater pairs per image</source>
        <translation>Prozentuale Übereinstimmung: mittlerer Anteil übereinstimmender Bewerterpaare je Bild</translation>
    </message>
    <message>
        <source>Fleiss&apos; kappa (only when every image has the same number of ratings)</source>
        <translation>Fleiss’ Kappa (nur wenn jedes Bild gleich viele Bewertungen hat)</translation>
    </message>
    <message>
        <source>Krippendorff&apos;s alpha at the field&apos;s level of measurement</source>
        <translation>Krippendorffs Alpha auf dem Messniveau des Felds</translation>
    </message>
    <message>
        <source>95% bootstrap confidence interval of alpha (seeded, reproducible)</source>
        <translation>95-%-Bootstrap-Konfidenzintervall von Alpha (mit Startwert, reproduzierbar)</translation>
    </message>
    <message>
        <source>Mean Cohen&apos;s kappa over rater pairs; quadratic-weighted for ordinal fields</source>
        <translation>Mittleres Cohens Kappa über Bewerterpaare; quadratisch gewichtet bei ordinalen Feldern</translation>
    </message>
</context>
<context>
    <name>dl::AnnotationService</name>
    <message>
        <source>This image is not assigned to %1.</source>
        <translation>Dieses Bild ist %1 nicht zugewiesen.</translation>
    </message>
    <message>
        <source>Unknown reason for not gradable: %1</source>
        <translation>Unbekannter Grund für „nicht beurteilbar“: %1</translation>
    </message>
    <message>
        <source>Visible skin condition must be yes, no or unsure.</source>
        <translation>Sichtbare Hauterkrankung muss ja, nein oder unsicher sein.</translation>
    </message>
    <message>
        <source>Unknown kind of identifying content: %1</source>
        <translation>Unbekannte Art identifizierenden Inhalts: %1</translation>
    </message>
    <message>
        <source>At most %1 potential diagnoses.</source>
        <translation>Höchstens %1 mögliche Diagnosen.</translation>
    </message>
    <message>
        <source>Each potential diagnosis must be a different condition.</source>
        <translation>Jede mögliche Diagnose muss eine andere Erkrankung sein.</translation>
    </message>
    <message>
        <source>Confidence must be from 1 to 5.</source>
        <translation>Die Sicherheit muss zwischen 1 und 5 liegen.</translation>
    </message>
    <message>
        <source>&apos;Cannot determine&apos; excludes potential diagnoses.</source>
        <translation>„Nicht bestimmbar“ schließt mögliche Diagnosen aus.</translation>
    </message>
    <message>
        <source>Fitzpatrick type must be I to VI or not gradable.</source>
        <translation>Der Fitzpatrick-Hauttyp muss I bis VI oder nicht beurteilbar sein.</translation>
    </message>
    <message>
        <source>Monk skin tone must be 1 to 10 or not gradable.</source>
        <translation>Der Monk-Hautton muss 1 bis 10 oder nicht beurteilbar sein.</translation>
    </message>
    <message>
        <source>Only the author may change an annotation.</source>
        <translation>Nur der Autor darf eine Annotation ändern.</translation>
    </message>
    <message>
        <source>Unknown status %1.</source>
        <translation>Unbekannter Status %1.</translation>
    </message>
    <message>
        <source>These labels were changed elsewhere (in another window or on another workstation) since they were read here; nothing was overwritten.</source>
        <translation>Diese Labels wurden anderswo geändert (in einem anderen Fenster oder an einem anderen Arbeitsplatz), seit sie hier gelesen wurden; nichts wurde überschrieben.</translation>
    </message>
</context>
<context>
    <name>dl::AssignDialog</name>
    <message>
        <source>Assign Images</source>
        <translation>Bilder zuweisen</translation>
    </message>
    <message>
        <source>Every image is labelled independently by K different dermatologists. New assignments go to whoever has the least work; nobody gets an image twice.</source>
        <translation>Jedes Bild wird unabhängig von K verschiedenen Dermatologen gelabelt. Neue Zuweisungen gehen an den mit der wenigsten Arbeit; niemand bekommt ein Bild zweimal.</translation>
    </message>
    <message>
        <source> dermatologists</source>
        <translation> Dermatologen</translation>
    </message>
    <message>
        <source>&amp;Raters per image (K):</source>
        <translation>&amp;Bewerter pro Bild (K):</translation>
    </message>
    <message>
        <source>A&amp;ll images</source>
        <translation>A&amp;lle Bilder</translation>
    </message>
    <message>
        <source>Only images with &amp;fewer than K raters</source>
        <translation>Nur Bilder mit &amp;weniger als K Bewertern</translation>
    </message>
    <message>
        <source>Scope:</source>
        <translation>Umfang:</translation>
    </message>
    <message>
        <source>&amp;Dermatologists taking part (Space toggles):</source>
        <translation>Teilnehmende &amp;Dermatologen (Space schaltet um):</translation>
    </message>
    <message>
        <source>Dermatologist</source>
        <translation>Dermatologe</translation>
    </message>
    <message>
        <source>Assigned now</source>
        <translation>Jetzt zugewiesen</translation>
    </message>
    <message>
        <source>To add</source>
        <translation>Hinzuzufügen</translation>
    </message>
    <message>
        <source>After</source>
        <translation>Danach</translation>
    </message>
    <message>
        <source>&amp;Assign</source>
        <translation>&amp;Zuweisen</translation>
    </message>
    <message>
        <source>Choose at least one dermatologist.</source>
        <translation>Wählen Sie mindestens einen Dermatologen.</translation>
    </message>
    <message>
        <source>Every image already has %1 raters.</source>
        <translation>Jedes Bild hat bereits %1 Bewerter.</translation>
    </message>
    <message>
        <source>Nothing to add to the %1 images in scope.</source>
        <translation>Den %1 Bildern im Umfang ist nichts hinzuzufügen.</translation>
    </message>
    <message>
        <source>%1 new assignments over %2 images in scope.</source>
        <translation>%1 neue Zuweisungen über %2 Bilder im Umfang.</translation>
    </message>
    <message>
        <source>%1 images cannot reach %2 raters with the dermatologists chosen.</source>
        <translation>%1 Bilder können mit den gewählten Dermatologen keine %2 Bewerter erreichen.</translation>
    </message>
</context>
<context>
    <name>dl::AssignmentService</name>
    <message>
        <source>Each image needs at least one rater.</source>
        <translation>Jedes Bild braucht mindestens einen Bewerter.</translation>
    </message>
    <message>
        <source>%1 raters per image were asked for, but there are only %2 active annotators.</source>
        <translation>%1 Bewerter pro Bild wurden verlangt, aber es gibt nur %2 aktive Annotatoren.</translation>
    </message>
    <message>
        <source>Choose at least one active annotator to assign images to.</source>
        <translation>Wählen Sie mindestens einen aktiven Annotator, dem Bilder zugewiesen werden.</translation>
    </message>
    <message>
        <source>Only the work of a disabled rater, or of one who is no longer a dermatologist, is moved.</source>
        <translation>Nur die Arbeit eines deaktivierten Bewerters oder eines, der kein Dermatologe mehr ist, wird verschoben.</translation>
    </message>
</context>
<context>
    <name>dl::BundleExporter</name>
    <message>
        <source>Image %1: %2</source>
        <translation>Bild %1: %2</translation>
    </message>
    <message>
        <source>a mask does not have the image&apos;s size.</source>
        <translation>eine Maske hat nicht die Größe des Bildes.</translation>
    </message>
    <message>
        <source>the masks of %1 differ in size.</source>
        <translation>die Masken von %1 sind unterschiedlich groß.</translation>
    </message>
    <message>
        <source>No output path given.</source>
        <translation>Kein Ausgabepfad angegeben.</translation>
    </message>
    <message>
        <source>DermLabel label bundle</source>
        <translation>DermLabel-Labelpaket</translation>
    </message>
    <message>
        <source>Export cancelled; nothing was written.</source>
        <translation>Export abgebrochen; nichts wurde geschrieben.</translation>
    </message>
    <message>
        <source>a mask layer cannot be read.</source>
        <translation>eine Maskenebene ist nicht lesbar.</translation>
    </message>
    <message>
        <source>The export could not be recorded in the audit log, so nothing was exported: %1</source>
        <translation>Der Export konnte nicht im Prüfprotokoll vermerkt werden, daher wurde nichts exportiert: %1</translation>
    </message>
</context>
<context>
    <name>dl::BundleVerifier</name>
    <message>
        <source>%1 is not a readable zip archive: %2</source>
        <translation>%1 ist kein lesbares Zip-Archiv: %2</translation>
    </message>
    <message>
        <source>%1 does not exist.</source>
        <translation>%1 existiert nicht.</translation>
    </message>
    <message>
        <source>manifest.json cannot be read: %1</source>
        <translation>manifest.json kann nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>manifest.json is not a JSON object: %1</source>
        <translation>manifest.json ist kein JSON-Objekt: %1</translation>
    </message>
    <message>
        <source>manifest.json has an unknown format_version (this program reads 1 to %1).</source>
        <translation>manifest.json hat eine unbekannte format_version (dieses Programm liest 1 bis %1).</translation>
    </message>
    <message>
        <source>manifest.json has no &quot;files&quot; list.</source>
        <translation>manifest.json hat keine „files“-Liste.</translation>
    </message>
    <message>
        <source>manifest.json: files[%1] needs a path, a size and a sha256.</source>
        <translation>manifest.json: files[%1] braucht path, size und sha256.</translation>
    </message>
    <message>
        <source>manifest.json: files[%1]: %2</source>
        <translation>manifest.json: files[%1]: %2</translation>
    </message>
    <message>
        <source>manifest.json lists %1 twice.</source>
        <translation>manifest.json führt %1 zweimal auf.</translation>
    </message>
    <message>
        <source>%1 is missing.</source>
        <translation>%1 fehlt.</translation>
    </message>
    <message>
        <source>%1 cannot be read: %2</source>
        <translation>%1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>%1 has %2 bytes; the manifest says %3.</source>
        <translation>%1 hat %2 Bytes; das Manifest sagt %3.</translation>
    </message>
    <message>
        <source>%1 does not match its SHA-256 in the manifest.</source>
        <translation>%1 stimmt nicht mit seinem SHA-256 im Manifest überein.</translation>
    </message>
    <message>
        <source>%1 is in the bundle but not in the manifest.</source>
        <translation>%1 ist im Paket, aber nicht im Manifest.</translation>
    </message>
</context>
<context>
    <name>dl::BundleWriter</name>
    <message>
        <source>Invalid path in bundle &quot;%1&quot;: %2</source>
        <translation>Ungültiger Pfad im Paket „%1“: %2</translation>
    </message>
    <message>
        <source>empty</source>
        <translation>leer</translation>
    </message>
    <message>
        <source>absolute</source>
        <translation>absolut</translation>
    </message>
    <message>
        <source>contains a backslash, colon or control character</source>
        <translation>enthält einen Backslash, Doppelpunkt oder ein Steuerzeichen</translation>
    </message>
    <message>
        <source>empty, &quot;.&quot; or &quot;..&quot; component</source>
        <translation>leerer Bestandteil, „.“ oder „..“</translation>
    </message>
    <message>
        <source>reserved for the manifest</source>
        <translation>für das Manifest reserviert</translation>
    </message>
    <message>
        <source>A bundle is already being written to %1.</source>
        <translation>In %1 wird bereits ein Paket geschrieben.</translation>
    </message>
    <message>
        <source>No output path given.</source>
        <translation>Kein Ausgabepfad angegeben.</translation>
    </message>
    <message>
        <source>%1 already exists; choose another path or allow overwriting.</source>
        <translation>%1 existiert bereits; wählen Sie einen anderen Pfad oder erlauben Sie das Überschreiben.</translation>
    </message>
    <message>
        <source>Cannot create the folder %1.</source>
        <translation>Der Ordner %1 kann nicht angelegt werden.</translation>
    </message>
    <message>
        <source>Cannot create the temporary folder %1.</source>
        <translation>Der temporäre Ordner %1 kann nicht angelegt werden.</translation>
    </message>
    <message>
        <source>Cannot find a free temporary name next to %1.</source>
        <translation>Neben %1 ist kein freier temporärer Name zu finden.</translation>
    </message>
    <message>
        <source>No bundle is open.</source>
        <translation>Kein Paket ist geöffnet.</translation>
    </message>
    <message>
        <source>%1 was already added to the bundle.</source>
        <translation>%1 wurde dem Paket bereits hinzugefügt.</translation>
    </message>
    <message>
        <source>%1 is already a folder in the bundle.</source>
        <translation>%1 ist bereits ein Ordner im Paket.</translation>
    </message>
    <message>
        <source>%1 is already a file in the bundle.</source>
        <translation>%1 ist bereits eine Datei im Paket.</translation>
    </message>
    <message>
        <source>Cannot create the folder for %1.</source>
        <translation>Der Ordner für %1 kann nicht angelegt werden.</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>%1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>Files are still being added to the bundle.</source>
        <translation>Dem Paket werden noch Dateien hinzugefügt.</translation>
    </message>
    <message>
        <source>Cannot create the archive %1: %2</source>
        <translation>Das Archiv %1 kann nicht angelegt werden: %2</translation>
    </message>
    <message>
        <source>Cannot add %1 to the archive: %2</source>
        <translation>%1 kann dem Archiv nicht hinzugefügt werden: %2</translation>
    </message>
    <message>
        <source>Cannot write the archive %1: %2</source>
        <translation>Das Archiv %1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <source>Cannot move the bundle to %1: %2</source>
        <translation>Das Paket kann nicht nach %1 verschoben werden: %2</translation>
    </message>
    <message>
        <source>Cannot replace %1: %2</source>
        <translation>%1 kann nicht ersetzt werden: %2</translation>
    </message>
    <message>
        <source>Cannot move the existing %1 aside: %2</source>
        <translation>Das vorhandene %1 kann nicht beiseitegelegt werden: %2</translation>
    </message>
    <message>
        <source>it is a symbolic link</source>
        <translation>es ist ein symbolischer Link</translation>
    </message>
    <message>
        <source>it is neither a folder nor a file</source>
        <translation>es ist weder ein Ordner noch eine Datei</translation>
    </message>
    <message>
        <source>%1 is not a bundle written by DermLabel (%2). Nothing was replaced or deleted; choose a new path, an empty folder or a previous bundle.</source>
        <translation>%1 ist kein von DermLabel geschriebenes Paket (%2). Nichts wurde ersetzt oder gelöscht; wählen Sie einen neuen Pfad, einen leeren Ordner oder ein früheres Paket.</translation>
    </message>
    <message>
        <source>The manifest extras may not set &quot;files&quot;, &quot;format_version&quot; or &quot;generator&quot;.</source>
        <translation>Die Manifest-Zusätze dürfen „files“, „format_version“ oder „generator“ nicht setzen.</translation>
    </message>
</context>
<context>
    <name>dl::CaseContextBar</name>
    <message>
        <source>&lt;i&gt;This image belongs to no case.&lt;/i&gt;</source>
        <translation>&lt;i&gt;Dieses Bild gehört zu keinem Fall.&lt;/i&gt;</translation>
    </message>
    <message>
        <source>This image</source>
        <translation>Dieses Bild</translation>
    </message>
    <message>
        <source>Another image of the same case</source>
        <translation>Ein anderes Bild desselben Falls</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>Alter</translation>
    </message>
    <message>
        <source>1 year</source>
        <translation>1 Jahr</translation>
    </message>
    <message>
        <source>%1 years</source>
        <translation>%1 Jahre</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>Geschlecht</translation>
    </message>
    <message>
        <source>Body site</source>
        <translation>Körperstelle</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>Dauer</translation>
    </message>
    <message>
        <source>Symptoms</source>
        <translation>Symptome</translation>
    </message>
    <message>
        <source>&lt;i&gt;No case details.&lt;/i&gt;</source>
        <translation>&lt;i&gt;Keine Falldetails.&lt;/i&gt;</translation>
    </message>
    <message>
        <source>1 region</source>
        <translation>1 Region</translation>
    </message>
    <message>
        <source>%1 regions</source>
        <translation>%1 Regionen</translation>
    </message>
    <message>
        <source>&lt;b&gt;Face confirmed&lt;/b&gt; by QA (%1). Tick &lt;i&gt;Identifying: face&lt;/i&gt; and mark its region so it is covered on export.</source>
        <translation>&lt;b&gt;Gesicht bestätigt&lt;/b&gt; durch die QS (%1). Kreuzen Sie &lt;i&gt;Identifizierend: Gesicht&lt;/i&gt; an und markieren Sie seine Region, damit sie beim Export abgedeckt wird.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Possible face&lt;/b&gt; found by the face check (%1). If a face shows, tick &lt;i&gt;Identifying: face&lt;/i&gt; and mark its region; QA confirms or dismisses the flag.</source>
        <translation>&lt;b&gt;Mögliches Gesicht&lt;/b&gt; von der Gesichtsprüfung gefunden (%1). Wenn ein Gesicht zu sehen ist, kreuzen Sie &lt;i&gt;Identifizierend: Gesicht&lt;/i&gt; an und markieren Sie seine Region; die QS bestätigt oder verwirft die Markierung.</translation>
    </message>
    <message>
        <source>The frontal-face check flags images for suitability review; an image with an open flag is held back from export.</source>
        <translation>Die Prüfung auf frontale Gesichter markiert Bilder zur Eignungsprüfung; ein Bild mit offener Markierung wird vom Export zurückgehalten.</translation>
    </message>
    <message>
        <source>Fitzpatrick %1</source>
        <translation>Fitzpatrick %1</translation>
    </message>
    <message>
        <source>Monk %1</source>
        <translation>Monk %1</translation>
    </message>
    <message>
        <source>Reference (training store)</source>
        <translation>Referenz (Trainingsablage)</translation>
    </message>
</context>
<context>
    <name>dl::CocoReader</name>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>%1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>Not valid JSON: %1 at offset %2.</source>
        <translation>Kein gültiges JSON: %1 an Position %2.</translation>
    </message>
    <message>
        <source>A COCO file must be a JSON object.</source>
        <translation>Eine COCO-Datei muss ein JSON-Objekt sein.</translation>
    </message>
    <message>
        <source>The COCO file has no &quot;%1&quot; array.</source>
        <translation>Die COCO-Datei hat kein „%1“-Array.</translation>
    </message>
    <message>
        <source>%1 has no integer &quot;id&quot;.</source>
        <translation>%1 hat keine ganzzahlige „id“.</translation>
    </message>
    <message>
        <source>%1 has no &quot;file_name&quot;.</source>
        <translation>%1 hat keinen „file_name“.</translation>
    </message>
    <message>
        <source>%1 needs a positive integer &quot;width&quot; and &quot;height&quot;.</source>
        <translation>%1 braucht positive ganze Zahlen „width“ und „height“.</translation>
    </message>
    <message>
        <source>%1: the image id %2 is used twice.</source>
        <translation>%1: Die Bild-ID %2 wird zweimal verwendet.</translation>
    </message>
    <message>
        <source>%1: the file name %2 is used twice.</source>
        <translation>%1: Der Dateiname %2 wird zweimal verwendet.</translation>
    </message>
    <message>
        <source>%1 has no &quot;name&quot;.</source>
        <translation>%1 hat keinen „name“.</translation>
    </message>
    <message>
        <source>%1: the category id %2 is used twice.</source>
        <translation>%1: Die Kategorie-ID %2 wird zweimal verwendet.</translation>
    </message>
    <message>
        <source>%1: the category name &quot;%2&quot; is used twice.</source>
        <translation>%1: Der Kategoriename „%2“ wird zweimal verwendet.</translation>
    </message>
    <message>
        <source>%1 is not an object.</source>
        <translation>%1 ist kein Objekt.</translation>
    </message>
    <message>
        <source>%1 has no integer &quot;image_id&quot;.</source>
        <translation>%1 hat keine ganzzahlige „image_id“.</translation>
    </message>
    <message>
        <source>%1 refers to the undeclared image_id %2.</source>
        <translation>%1 verweist auf die nicht deklarierte image_id %2.</translation>
    </message>
    <message>
        <source>%1 has no integer &quot;category_id&quot;.</source>
        <translation>%1 hat keine ganzzahlige „category_id“.</translation>
    </message>
    <message>
        <source>%1 refers to the undeclared category_id %2.</source>
        <translation>%1 verweist auf die nicht deklarierte category_id %2.</translation>
    </message>
    <message>
        <source>%1 has no segmentation; skipped.</source>
        <translation>%1 hat keine Segmentierung; übersprungen.</translation>
    </message>
    <message>
        <source>%1: segmentation polygon %2 needs an even number of at least 6 coordinates.</source>
        <translation>%1: Segmentierungspolygon %2 braucht eine gerade Anzahl von mindestens 6 Koordinaten.</translation>
    </message>
    <message>
        <source>%1: segmentation polygon %2 has a coordinate that is not a number.</source>
        <translation>%1: Segmentierungspolygon %2 hat eine Koordinate, die keine Zahl ist.</translation>
    </message>
    <message>
        <source>%1: the segmentation polygons cannot be rasterised (coordinates out of range).</source>
        <translation>%1: Die Segmentierungspolygone können nicht gerastert werden (Koordinaten außerhalb des Bereichs).</translation>
    </message>
    <message>
        <source>%1: invalid RLE segmentation: %2</source>
        <translation>%1: ungültige RLE-Segmentierung: %2</translation>
    </message>
    <message>
        <source>%1: the RLE size [%2, %3] differs from its image %4 (%5 x %6, size [%6, %5]).</source>
        <translation>%1: Die RLE-Größe [%2, %3] weicht von ihrem Bild %4 ab (%5 x %6, Größe [%6, %5]).</translation>
    </message>
    <message>
        <source>%1: &quot;segmentation&quot; must be a polygon list or an RLE object.</source>
        <translation>%1: „segmentation“ muss eine Polygonliste oder ein RLE-Objekt sein.</translation>
    </message>
    <message>
        <source>%1 cannot be merged with the earlier &quot;%2&quot; region of %3.</source>
        <translation>%1 kann nicht mit der früheren Region „%2“ von %3 zusammengeführt werden.</translation>
    </message>
</context>
<context>
    <name>dl::CocoRle</name>
    <message>
        <source>Invalid RLE size %1 x %2.</source>
        <translation>Ungültige RLE-Größe %1 x %2.</translation>
    </message>
    <message>
        <source>RLE string ends in the middle of a value (at character %1).</source>
        <translation>Die RLE-Zeichenkette endet mitten in einem Wert (bei Zeichen %1).</translation>
    </message>
    <message>
        <source>Invalid character (code %1) at position %2 of the RLE string.</source>
        <translation>Ungültiges Zeichen (Code %1) an Position %2 der RLE-Zeichenkette.</translation>
    </message>
    <message>
        <source>RLE value at character %1 is too long.</source>
        <translation>Der RLE-Wert bei Zeichen %1 ist zu lang.</translation>
    </message>
    <message>
        <source>RLE count %1 (number %2) is out of range.</source>
        <translation>RLE-Zählwert %1 (Nummer %2) liegt außerhalb des Bereichs.</translation>
    </message>
    <message>
        <source>RLE &quot;size&quot; must be [height, width] with non-negative integers.</source>
        <translation>RLE-„size“ muss [Höhe, Breite] mit nichtnegativen ganzen Zahlen sein.</translation>
    </message>
    <message>
        <source>RLE &quot;counts&quot; string contains a non-ASCII character.</source>
        <translation>Die RLE-Zeichenkette „counts“ enthält ein Nicht-ASCII-Zeichen.</translation>
    </message>
    <message>
        <source>RLE &quot;counts&quot; array holds a value that is not a count.</source>
        <translation>Das RLE-Array „counts“ enthält einen Wert, der kein Zählwert ist.</translation>
    </message>
    <message>
        <source>RLE &quot;counts&quot; must be a string or an array of integers.</source>
        <translation>RLE-„counts“ muss eine Zeichenkette oder ein Array ganzer Zahlen sein.</translation>
    </message>
    <message>
        <source>RLE counts add up to %1 pixels, but a %2 x %3 mask has %4.</source>
        <translation>Die RLE-Zählwerte ergeben %1 Pixel, aber eine %2 x %3-Maske hat %4.</translation>
    </message>
</context>
<context>
    <name>dl::CocoWriter</name>
    <message>
        <source>A COCO category needs a name.</source>
        <translation>Eine COCO-Kategorie braucht einen Namen.</translation>
    </message>
    <message>
        <source>The COCO category &quot;%1&quot; was added twice.</source>
        <translation>Die COCO-Kategorie „%1“ wurde zweimal hinzugefügt.</translation>
    </message>
    <message>
        <source>A COCO image needs a file name.</source>
        <translation>Ein COCO-Bild braucht einen Dateinamen.</translation>
    </message>
    <message>
        <source>The image %1 was added twice.</source>
        <translation>Das Bild %1 wurde zweimal hinzugefügt.</translation>
    </message>
    <message>
        <source>The image %1 has the invalid size %2 x %3.</source>
        <translation>Das Bild %1 hat die ungültige Größe %2 x %3.</translation>
    </message>
    <message>
        <source>The image %1 has a mask of the unknown category &quot;%2&quot;.</source>
        <translation>Das Bild %1 hat eine Maske der unbekannten Kategorie „%2“.</translation>
    </message>
    <message>
        <source>The &quot;%1&quot; mask of %2 is %3 x %4 (type %5), not %6 x %7 8-bit.</source>
        <translation>Die Maske „%1“ von %2 ist %3 x %4 (Typ %5), nicht %6 x %7 mit 8 Bit.</translation>
    </message>
    <message>
        <source>The &quot;%1&quot; mask of %2 does not have the image&apos;s size.</source>
        <translation>Die Maske „%1“ von %2 hat nicht die Größe des Bildes.</translation>
    </message>
</context>
<context>
    <name>dl::ConfusionHeatMap</name>
    <message>
        <source>These two raters have no image of this field in common.</source>
        <translation>Diese zwei Bewerter haben kein gemeinsames Bild für dieses Feld.</translation>
    </message>
    <message>
        <source>%1 (columns)</source>
        <translation>%1 (Spalten)</translation>
    </message>
    <message>
        <source>%1 (rows)</source>
        <translation>%1 (Zeilen)</translation>
    </message>
    <message>
        <source>Outlined: both raters gave the same label. Darker: more images.</source>
        <translation>Umrandet: Beide Bewerter gaben dasselbe Label. Dunkler: mehr Bilder.</translation>
    </message>
</context>
<context>
    <name>dl::ConsensusCalculator</name>
    <message>
        <source>no rater answered</source>
        <translation>kein Bewerter hat geantwortet</translation>
    </message>
    <message>
        <source>no two raters agree</source>
        <translation>keine zwei Bewerter stimmen überein</translation>
    </message>
    <message>
        <source>tie: %1 votes each</source>
        <translation>Gleichstand: je %1 Stimmen</translation>
    </message>
    <message>
        <source>no quorum: %1 of %2 needed</source>
        <translation>kein Quorum: %1 von %2 nötig</translation>
    </message>
    <message>
        <source>no rater named a condition</source>
        <translation>kein Bewerter hat eine Erkrankung genannt</translation>
    </message>
    <message>
        <source>tie: %1 and %2 weigh the same</source>
        <translation>Gleichstand: %1 und %2 wiegen gleich</translation>
    </message>
    <message>
        <source>no quorum: %1 of %2 raters named a condition</source>
        <translation>kein Quorum: %1 von %2 Bewertern nannten eine Erkrankung</translation>
    </message>
    <message numerus="yes">
        <source>waiting for %n more rater(s)</source>
        <translation>
            <numerusform>wartet auf %n weiteren Bewerter</numerusform>
            <numerusform>wartet auf %n weitere Bewerter</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>dl::ConsensusService</name>
    <message>
        <source>The quorum must be from 1 to 20 raters.</source>
        <translation>Das Quorum muss zwischen 1 und 20 Bewertern liegen.</translation>
    </message>
    <message>
        <source>Cancelled; the consensus was left as it was.</source>
        <translation>Abgebrochen; der Konsens blieb, wie er war.</translation>
    </message>
    <message>
        <source>%1 is not a field with a consensus.</source>
        <translation>%1 ist kein Feld mit Konsens.</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a value of %2.</source>
        <translation>„%1“ ist kein Wert von %2.</translation>
    </message>
    <message>
        <source>Give a reason for the decision.</source>
        <translation>Geben Sie einen Grund für die Entscheidung an.</translation>
    </message>
    <message>
        <source>No such image.</source>
        <translation>Kein solches Bild.</translation>
    </message>
</context>
<context>
    <name>dl::CsvReader</name>
    <message>
        <source>the file is empty</source>
        <translation>die Datei ist leer</translation>
    </message>
    <message>
        <source>line %1: invalid UTF-8 (byte 0x%2); save the file as UTF-8</source>
        <translation>Zeile %1: ungültiges UTF-8 (Byte 0x%2); speichern Sie die Datei als UTF-8</translation>
    </message>
    <message>
        <source>line %1: a quoted field is not closed (missing &apos;&quot;&apos;)</source>
        <translation>Zeile %1: ein Feld in Anführungszeichen ist nicht geschlossen (fehlendes &apos;&quot;&apos;)</translation>
    </message>
    <message>
        <source>line %1: the header has more than one empty column name</source>
        <translation>Zeile %1: Die Kopfzeile hat mehr als einen leeren Spaltennamen</translation>
    </message>
    <message>
        <source>line %1: duplicate column name &quot;%2&quot; in the header</source>
        <translation>Zeile %1: doppelter Spaltenname „%2“ in der Kopfzeile</translation>
    </message>
    <message>
        <source>line %1: %2 fields, header has %3</source>
        <translation>Zeile %1: %2 Felder, die Kopfzeile hat %3</translation>
    </message>
    <message>
        <source>no header row (the file holds only blank lines)</source>
        <translation>keine Kopfzeile (die Datei enthält nur leere Zeilen)</translation>
    </message>
    <message>
        <source>%1: file not found</source>
        <translation>%1: Datei nicht gefunden</translation>
    </message>
    <message>
        <source>%1: is a folder, not a CSV file</source>
        <translation>%1: ist ein Ordner, keine CSV-Datei</translation>
    </message>
    <message>
        <source>%1: cannot open: %2</source>
        <translation>%1: kann nicht geöffnet werden: %2</translation>
    </message>
    <message>
        <source>%1: cannot read: %2</source>
        <translation>%1: kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>%1: missing required column(s): %2</source>
        <translation>%1: erforderliche Spalte(n) fehlen: %2</translation>
    </message>
    <message>
        <source>line %1: a field of more than %2 MB; fields are limited to %2 MB</source>
        <translation>Zeile %1: ein Feld von mehr als %2 MB; Felder sind auf %2 MB begrenzt</translation>
    </message>
    <message>
        <source>line %1: more than %2 fields, header has %3</source>
        <translation>Zeile %1: mehr als %2 Felder, die Kopfzeile hat %3</translation>
    </message>
    <message>
        <source>line %1: the header has more than %2 columns; at most %2 are supported</source>
        <translation>Zeile %1: Die Kopfzeile hat mehr als %2 Spalten; höchstens %2 werden unterstützt</translation>
    </message>
    <message>
        <source>line %1: a row of more than %2 MB; rows are limited to %2 MB</source>
        <translation>Zeile %1: eine Zeile von mehr als %2 MB; Zeilen sind auf %2 MB begrenzt</translation>
    </message>
    <message>
        <source>line %1: more than %2 million fields in all (rows x columns); split the file</source>
        <translation>Zeile %1: insgesamt mehr als %2 Millionen Felder (Zeilen x Spalten); teilen Sie die Datei</translation>
    </message>
</context>
<context>
    <name>dl::CsvWriter</name>
    <message>
        <source>%1: row %2 has %3 fields, header has %4</source>
        <translation>%1: Zeile %2 hat %3 Felder, die Kopfzeile hat %4</translation>
    </message>
    <message>
        <source>%1: cannot open for writing: %2</source>
        <translation>%1: kann nicht zum Schreiben geöffnet werden: %2</translation>
    </message>
    <message>
        <source>%1: write failed: %2</source>
        <translation>%1: Schreiben fehlgeschlagen: %2</translation>
    </message>
    <message>
        <source>%1: cannot save: %2</source>
        <translation>%1: kann nicht gespeichert werden: %2</translation>
    </message>
</context>
<context>
    <name>dl::DatasetPaths</name>
    <message>
        <source>The path points outside the dataset folder.</source>
        <translation>Der Pfad zeigt aus dem Datensatzordner hinaus.</translation>
    </message>
    <message>
        <source>The file does not exist.</source>
        <translation>Die Datei existiert nicht.</translation>
    </message>
    <message>
        <source>The path is not a file.</source>
        <translation>Der Pfad ist keine Datei.</translation>
    </message>
</context>
<context>
    <name>dl::DemoDataset</name>
    <message>
        <source>Cannot encode the demo image %1.</source>
        <translation>Das Demobild %1 kann nicht kodiert werden.</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <source>The number of demo images must not be negative (%1).</source>
        <translation>Die Anzahl der Demobilder darf nicht negativ sein (%1).</translation>
    </message>
    <message>
        <source>The demo image size %1 x %2 is too small (at least 16 x 16).</source>
        <translation>Die Demobildgröße %1 x %2 ist zu klein (mindestens 16 x 16).</translation>
    </message>
    <message>
        <source>Cannot create the folder %1.</source>
        <translation>Der Ordner %1 kann nicht angelegt werden.</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>abgebrochen</translation>
    </message>
</context>
<context>
    <name>dl::DemoRatings</name>
    <message>
        <source>The taxonomy has no conditions.</source>
        <translation>Die Taxonomie hat keine Erkrankungen.</translation>
    </message>
</context>
<context>
    <name>dl::DiagnosisRow</name>
    <message>
        <source>Confidence</source>
        <translation>Sicherheit</translation>
    </message>
    <message>
        <source>Most likely condition…</source>
        <translation>Wahrscheinlichste Erkrankung…</translation>
    </message>
    <message>
        <source>Alternative condition…</source>
        <translation>Alternative Erkrankung…</translation>
    </message>
    <message>
        <source>Diagnosis %1</source>
        <translation>Diagnose %1</translation>
    </message>
    <message>
        <source>Remove this diagnosis</source>
        <translation>Diese Diagnose entfernen</translation>
    </message>
    <message>
        <source>Remove diagnosis %1</source>
        <translation>Diagnose %1 entfernen</translation>
    </message>
    <message>
        <source>very unsure</source>
        <translation>sehr unsicher</translation>
    </message>
    <message>
        <source>unsure</source>
        <translation>unsicher</translation>
    </message>
    <message>
        <source>moderately sure</source>
        <translation>einigermaßen sicher</translation>
    </message>
    <message>
        <source>sure</source>
        <translation>sicher</translation>
    </message>
    <message>
        <source>very sure</source>
        <translation>sehr sicher</translation>
    </message>
    <message>
        <source>Confidence %1: %2 (key %1)</source>
        <translation>Sicherheit %1: %2 (Taste %1)</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
</context>
<context>
    <name>dl::DisagreementModel</name>
    <message>
        <source>agreed</source>
        <translation>übereinstimmend</translation>
    </message>
    <message>
        <source>pending</source>
        <translation>ausstehend</translation>
    </message>
    <message>
        <source>to adjudicate</source>
        <translation>zu entscheiden</translation>
    </message>
    <message>
        <source>adjudicated</source>
        <translation>entschieden</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 von %2</translation>
    </message>
    <message>
        <source>Share of the raters against the leading value</source>
        <translation>Anteil der Bewerter gegen den führenden Wert</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>Bild</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>Feld</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Leading votes</source>
        <translation>Führende Stimmen</translation>
    </message>
    <message>
        <source>Against</source>
        <translation>Dagegen</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>Warum</translation>
    </message>
</context>
<context>
    <name>dl::ExportDialog</name>
    <message>
        <source>Export Label Bundle</source>
        <translation>Labelpaket exportieren</translation>
    </message>
    <message>
        <source>Bundle</source>
        <translation>Paket</translation>
    </message>
    <message>
        <source>Folder or .zip file to write</source>
        <translation>Zu schreibender Ordner oder .zip-Datei</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>One &amp;zip archive instead of a folder</source>
        <translation>Ein &amp;Zip-Archiv statt eines Ordners</translation>
    </message>
    <message>
        <source>&amp;Consensus labels and masks</source>
        <translation>&amp;Konsens-Labels und -Masken</translation>
    </message>
    <message>
        <source>Every &amp;rater&apos;s labels and masks (pseudonymised)</source>
        <translation>Labels und Masken jedes &amp;Bewerters (pseudonymisiert)</translation>
    </message>
    <message>
        <source>&amp;Output:</source>
        <translation>&amp;Ausgabe:</translation>
    </message>
    <message>
        <source>Labels:</source>
        <translation>Labels:</translation>
    </message>
    <message>
        <source>Release gate</source>
        <translation>Freigabeprüfung</translation>
    </message>
    <message>
        <source>Hold back records whose age group, sex, skin type, body site, country and condition occur fewer than k times in the bundle. 1 turns the check off.</source>
        <translation>Datensätze zurückhalten, deren Altersgruppe, Geschlecht, Hauttyp, Körperstelle, Land und Erkrankung weniger als k-mal im Paket vorkommen. 1 schaltet die Prüfung ab.</translation>
    </message>
    <message>
        <source>Solid fill</source>
        <translation>Volle Füllung</translation>
    </message>
    <message>
        <source>Strong blur</source>
        <translation>Starke Unschärfe</translation>
    </message>
    <message>
        <source>Include the datasets&apos; own case ids where they are public</source>
        <translation>Die eigenen Fall-IDs der Datensätze einschließen, wo sie öffentlich sind</translation>
    </message>
    <message>
        <source>&amp;k-anonymity:</source>
        <translation>k-Anon&amp;ymität:</translation>
    </message>
    <message>
        <source>&amp;Minimum raters:</source>
        <translation>&amp;Mindestzahl Bewerter:</translation>
    </message>
    <message>
        <source>Identifying regions:</source>
        <translation>Identifizierende Regionen:</translation>
    </message>
    <message>
        <source>What will be exported</source>
        <translation>Was exportiert wird</translation>
    </message>
    <message>
        <source>Checking the store…</source>
        <translation>Ablage wird geprüft…</translation>
    </message>
    <message>
        <source>Held back because</source>
        <translation>Zurückgehalten, weil</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>Bilder</translation>
    </message>
    <message>
        <source>&amp;Export</source>
        <translation>&amp;Exportieren</translation>
    </message>
    <message>
        <source>Cancel Export</source>
        <translation>Export abbrechen</translation>
    </message>
    <message>
        <source>Export to Zip Archive</source>
        <translation>In Zip-Archiv exportieren</translation>
    </message>
    <message>
        <source>Zip archives (*.zip)</source>
        <translation>Zip-Archive (*.zip)</translation>
    </message>
    <message>
        <source>Export to Folder</source>
        <translation>In Ordner exportieren</translation>
    </message>
    <message>
        <source>The store could not be checked: %1</source>
        <translation>Die Ablage konnte nicht geprüft werden: %1</translation>
    </message>
    <message>
        <source>%1 of %2 labelled images will be exported; %3 are held back.</source>
        <translation>%1 von %2 gelabelten Bildern werden exportiert; %3 werden zurückgehalten.</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>Exportiere…</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>Breche ab…</translation>
    </message>
    <message>
        <source>Wrote %1: %2 images, %3 masks, %4 COCO annotations; %5 images held back (see release_report.json).</source>
        <translation>%1 geschrieben: %2 Bilder, %3 Masken, %4 COCO-Annotationen; %5 Bilder zurückgehalten (siehe release_report.json).</translation>
    </message>
    <message>
        <source>Export cancelled; nothing was written.</source>
        <translation>Export abgebrochen; nichts wurde geschrieben.</translation>
    </message>
    <message>
        <source>The export failed: %1</source>
        <translation>Der Export ist fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Export Running</source>
        <translation>Export läuft</translation>
    </message>
    <message>
        <source>Cancel the export and close?</source>
        <translation>Export abbrechen und schließen?</translation>
    </message>
    <message>
        <source>&amp;Replace a previous bundle there</source>
        <translation>Ein früheres Paket dort e&amp;rsetzen</translation>
    </message>
    <message>
        <source>Only a bundle DermLabel wrote, or an empty folder, is replaced; anything else is refused and left as it is.</source>
        <translation>Nur ein von DermLabel geschriebenes Paket oder ein leerer Ordner wird ersetzt; alles andere wird abgelehnt und bleibt, wie es ist.</translation>
    </message>
</context>
<context>
    <name>dl::ExportSource</name>
    <message>
        <source>Image %1 is labelled but not in the store.</source>
        <translation>Bild %1 ist gelabelt, aber nicht in der Ablage.</translation>
    </message>
    <message>
        <source>Case %1 of image %2 is not in the store.</source>
        <translation>Fall %1 von Bild %2 ist nicht in der Ablage.</translation>
    </message>
</context>
<context>
    <name>dl::FaceCheck</name>
    <message>
        <source>Image %1: %2</source>
        <translation>Bild %1: %2</translation>
    </message>
    <message>
        <source>The image has no face flag.</source>
        <translation>Das Bild hat keine Gesichtsmarkierung.</translation>
    </message>
</context>
<context>
    <name>dl::FaceDetector</name>
    <message>
        <source>The face detection cascade %1 was not found (looked in %2). Install the Debian package opencv-data or set DERMLABEL_FACE_CASCADE.</source>
        <translation>Die Gesichtserkennungs-Kaskade %1 wurde nicht gefunden (gesucht in %2). Installieren Sie das Debian-Paket opencv-data oder setzen Sie DERMLABEL_FACE_CASCADE.</translation>
    </message>
    <message>
        <source>The face detection cascade %1 does not exist.</source>
        <translation>Die Gesichtserkennungs-Kaskade %1 existiert nicht.</translation>
    </message>
    <message>
        <source>%1 is not a readable OpenCV cascade file.</source>
        <translation>%1 ist keine lesbare OpenCV-Kaskadendatei.</translation>
    </message>
    <message>
        <source>Cannot look for faces in a null image.</source>
        <translation>In einem Nullbild kann nicht nach Gesichtern gesucht werden.</translation>
    </message>
    <message>
        <source>No face detection cascade is loaded.</source>
        <translation>Keine Gesichtserkennungs-Kaskade geladen.</translation>
    </message>
    <message>
        <source>Face detection needs a non-empty 8-bit image with 1, 3 or 4 channels.</source>
        <translation>Die Gesichtserkennung braucht ein nicht leeres 8-Bit-Bild mit 1, 3 oder 4 Kanälen.</translation>
    </message>
    <message>
        <source>Face detection failed: %1</source>
        <translation>Gesichtserkennung fehlgeschlagen: %1</translation>
    </message>
</context>
<context>
    <name>dl::FaceFlagModel</name>
    <message>
        <source>Open: held back from export</source>
        <translation>Offen: vom Export zurückgehalten</translation>
    </message>
    <message>
        <source>Confirmed: a face shows</source>
        <translation>Bestätigt: ein Gesicht ist zu sehen</translation>
    </message>
    <message>
        <source>Dismissed: no face</source>
        <translation>Verworfen: kein Gesicht</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>Bild</translation>
    </message>
    <message>
        <source>Possible faces</source>
        <translation>Mögliche Gesichter</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>Prüfung</translation>
    </message>
</context>
<context>
    <name>dl::FolderScanner</name>
    <message>
        <source>The folder cannot be read.</source>
        <translation>Der Ordner kann nicht gelesen werden.</translation>
    </message>
    <message>
        <source>%1 images are not supported.</source>
        <translation>%1-Bilder werden nicht unterstützt.</translation>
    </message>
</context>
<context>
    <name>dl::GrabCutTool</name>
    <message>
        <source>Segmenting…</source>
        <translation>Segmentiere…</translation>
    </message>
    <message>
        <source>Wait for the segmentation to finish.</source>
        <translation>Warten Sie, bis die Segmentierung fertig ist.</translation>
    </message>
    <message>
        <source>GrabCut session ended: the next strokes start a new one.</source>
        <translation>GrabCut-Sitzung beendet: Die nächsten Striche beginnen eine neue.</translation>
    </message>
    <message>
        <source>GrabCut session ended: the next box starts a new one.</source>
        <translation>GrabCut-Sitzung beendet: Der nächste Rahmen beginnt eine neue.</translation>
    </message>
    <message>
        <source>Now drag over the lesion: the segmentation starts from a foreground stroke.</source>
        <translation>Ziehen Sie jetzt über die Läsion: Die Segmentierung beginnt mit einem Vordergrundstrich.</translation>
    </message>
    <message>
        <source>Leave some background outside the box.</source>
        <translation>Lassen Sie etwas Hintergrund außerhalb des Rahmens.</translation>
    </message>
    <message>
        <source>Refining…</source>
        <translation>Verfeinere…</translation>
    </message>
    <message>
        <source>The segmentation found nothing.</source>
        <translation>Die Segmentierung hat nichts gefunden.</translation>
    </message>
    <message>
        <source>Refine with strokes: drag over what belongs, right drag (or Alt+drag) over what does not; Esc ends.</source>
        <translation>Mit Strichen verfeinern: über das ziehen, was dazugehört, mit rechter Maustaste (oder Alt+Ziehen) über das, was nicht dazugehört; Esc beendet.</translation>
    </message>
</context>
<context>
    <name>dl::IccProfile</name>
    <message>
        <source>Malformed ICC profile: %1.</source>
        <translation>Fehlerhaftes ICC-Profil: %1.</translation>
    </message>
    <message>
        <source>%1 bytes, shorter than a header and a tag count</source>
        <translation>%1 Bytes, kürzer als ein Header und eine Tag-Anzahl</translation>
    </message>
    <message>
        <source>%1 bytes, more than the %2 accepted</source>
        <translation>%1 Bytes, mehr als die erlaubten %2</translation>
    </message>
    <message>
        <source>the header gives the size %1, the data has %2 bytes</source>
        <translation>der Header gibt die Größe %1 an, die Daten haben %2 Bytes</translation>
    </message>
    <message>
        <source>no &apos;acsp&apos; signature</source>
        <translation>keine „acsp“-Signatur</translation>
    </message>
    <message>
        <source>version %1 is not supported (2 and 4 are)</source>
        <translation>Version %1 wird nicht unterstützt (2 und 4 schon)</translation>
    </message>
    <message>
        <source>the profile class %1 cannot describe an image</source>
        <translation>die Profilklasse %1 kann kein Bild beschreiben</translation>
    </message>
    <message>
        <source>unknown rendering intent %1</source>
        <translation>unbekannter Rendering Intent %1</translation>
    </message>
    <message>
        <source>a tag table of %1 entries does not fit</source>
        <translation>eine Tag-Tabelle mit %1 Einträgen passt nicht</translation>
    </message>
    <message>
        <source>tag %1 appears twice</source>
        <translation>Tag %1 kommt zweimal vor</translation>
    </message>
    <message>
        <source>tag %1 (offset %2, size %3) is outside the profile&apos;s %4 bytes of tag data</source>
        <translation>Tag %1 (Position %2, Größe %3) liegt außerhalb der %4 Bytes Tag-Daten des Profils</translation>
    </message>
    <message>
        <source>no tag that defines colours</source>
        <translation>kein Tag, das Farben definiert</translation>
    </message>
</context>
<context>
    <name>dl::ImageBlobRepository</name>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>%1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>Cannot upload the image file %1: %2</source>
        <translation>Die Bilddatei %1 kann nicht hochgeladen werden: %2</translation>
    </message>
    <message>
        <source>the file became shorter</source>
        <translation>die Datei wurde kürzer</translation>
    </message>
    <message>
        <source>%1 changed while it was uploaded.</source>
        <translation>%1 hat sich beim Hochladen geändert.</translation>
    </message>
    <message>
        <source>The file %1 is not the image %2 (its SHA-256 is %3): not uploaded.</source>
        <translation>Die Datei %1 ist nicht das Bild %2 (ihr SHA-256 ist %3): nicht hochgeladen.</translation>
    </message>
    <message>
        <source>Cannot download the image file %1: %2</source>
        <translation>Die Bilddatei %1 kann nicht heruntergeladen werden: %2</translation>
    </message>
    <message>
        <source>The file of image %1 is missing from the store: it was never uploaded.</source>
        <translation>Die Datei von Bild %1 fehlt in der Ablage: Sie wurde nie hochgeladen.</translation>
    </message>
    <message>
        <source>The image file %1 is not in this store, or you may not read it (the image is not assigned to you).</source>
        <translation>Die Bilddatei %1 ist nicht in dieser Ablage, oder Sie dürfen sie nicht lesen (das Bild ist Ihnen nicht zugewiesen).</translation>
    </message>
    <message>
        <source>Cannot create the folder %1.</source>
        <translation>Der Ordner %1 kann nicht angelegt werden.</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <source>The file of image %1 in the store is incomplete (part %2 of %3 is missing).</source>
        <translation>Die Datei von Bild %1 in der Ablage ist unvollständig (Teil %2 von %3 fehlt).</translation>
    </message>
    <message>
        <source>The file of image %1 in the store is damaged (longer than recorded).</source>
        <translation>Die Datei von Bild %1 in der Ablage ist beschädigt (länger als vermerkt).</translation>
    </message>
    <message>
        <source>The file of image %1 in the store is incomplete (%2 of %3 bytes).</source>
        <translation>Die Datei von Bild %1 in der Ablage ist unvollständig (%2 von %3 Bytes).</translation>
    </message>
    <message>
        <source>The file of image %1 in the store is damaged (its SHA-256 does not match).</source>
        <translation>Die Datei von Bild %1 in der Ablage ist beschädigt (ihr SHA-256 stimmt nicht).</translation>
    </message>
</context>
<context>
    <name>dl::ImageCache</name>
    <message>
        <source>Cannot decode image file &quot;%1&quot;.</source>
        <translation>Die Bilddatei „%1“ kann nicht dekodiert werden.</translation>
    </message>
</context>
<context>
    <name>dl::ImageDecoder</name>
    <message>
        <source>The %1 decoder could not read the image: %2</source>
        <translation>Der %1-Decoder konnte das Bild nicht lesen: %2</translation>
    </message>
    <message>
        <source>The decoded image (%1 x %2) does not match its header (%3 x %4)</source>
        <translation>Das dekodierte Bild (%1 x %2) passt nicht zu seinem Header (%3 x %4)</translation>
    </message>
    <message>
        <source>Not enough memory for the decoded image</source>
        <translation>Nicht genug Speicher für das dekodierte Bild</translation>
    </message>
    <message>
        <source>Cannot open image file &quot;%1&quot;: %2</source>
        <translation>Die Bilddatei „%1“ kann nicht geöffnet werden: %2</translation>
    </message>
    <message>
        <source>Cannot read image file &quot;%1&quot;: %2</source>
        <translation>Die Bilddatei „%1“ kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>Cannot decode image file &quot;%1&quot;: %2</source>
        <translation>Die Bilddatei „%1“ kann nicht dekodiert werden: %2</translation>
    </message>
</context>
<context>
    <name>dl::ImageFileCache</name>
    <message>
        <source>%1 is not an image file of the store.</source>
        <translation>%1 ist keine Bilddatei der Ablage.</translation>
    </message>
</context>
<context>
    <name>dl::ImageFormat</name>
    <message>
        <source>Accepted</source>
        <translation>Angenommen</translation>
    </message>
    <message>
        <source>Empty file</source>
        <translation>Leere Datei</translation>
    </message>
    <message>
        <source>Truncated file</source>
        <translation>Abgeschnittene Datei</translation>
    </message>
    <message>
        <source>Not an image</source>
        <translation>Kein Bild</translation>
    </message>
    <message>
        <source>Unsupported image format</source>
        <translation>Nicht unterstütztes Bildformat</translation>
    </message>
    <message>
        <source>Corrupt image data</source>
        <translation>Beschädigte Bilddaten</translation>
    </message>
    <message>
        <source>Image too large</source>
        <translation>Bild zu groß</translation>
    </message>
    <message>
        <source>Unreadable file</source>
        <translation>Nicht lesbare Datei</translation>
    </message>
</context>
<context>
    <name>dl::ImageIngest</name>
    <message>
        <source>The file cannot be read: %1</source>
        <translation>Die Datei kann nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>The file is %1 MB, more than the limit of %2 MB.</source>
        <translation>Die Datei hat %1 MB, mehr als die Grenze von %2 MB.</translation>
    </message>
    <message>
        <source>Cannot write to the store&apos;s image folder %1: %2</source>
        <translation>In den Bildordner der Ablage %1 kann nicht geschrieben werden: %2</translation>
    </message>
</context>
<context>
    <name>dl::ImageListModel</name>
    <message>
        <source>to do</source>
        <translation>offen</translation>
    </message>
    <message>
        <source>in progress</source>
        <translation>in Arbeit</translation>
    </message>
    <message>
        <source>done</source>
        <translation>fertig</translation>
    </message>
    <message>
        <source>skipped</source>
        <translation>übersprungen</translation>
    </message>
    <message>
        <source>flagged for QA</source>
        <translation>für die QS markiert</translation>
    </message>
    <message>
        <source>%1
%2 x %3 pixels, %4, %5 KB</source>
        <translation>%1
%2 x %3 Pixel, %4, %5 KB</translation>
    </message>
</context>
<context>
    <name>dl::ImageProbe</name>
    <message>
        <source>JPEG data ends inside its header</source>
        <translation>JPEG-Daten enden im Header</translation>
    </message>
    <message>
        <source>JPEG header is damaged: no marker at byte %1</source>
        <translation>JPEG-Header ist beschädigt: kein Marker bei Byte %1</translation>
    </message>
    <message>
        <source>JPEG header is damaged: unexpected marker 0x%1 at byte %2</source>
        <translation>JPEG-Header ist beschädigt: unerwarteter Marker 0x%1 bei Byte %2</translation>
    </message>
    <message>
        <source>JPEG file ends before any image data</source>
        <translation>JPEG-Datei endet vor allen Bilddaten</translation>
    </message>
    <message>
        <source>JPEG header is damaged: bad segment length at byte %1</source>
        <translation>JPEG-Header ist beschädigt: falsche Segmentlänge bei Byte %1</translation>
    </message>
    <message>
        <source>JPEG file has more than one frame header</source>
        <translation>JPEG-Datei hat mehr als einen Frame-Header</translation>
    </message>
    <message>
        <source>lossless or hierarchical JPEG (SOF%1) is not supported</source>
        <translation>Verlustfreies oder hierarchisches JPEG (SOF%1) wird nicht unterstützt</translation>
    </message>
    <message>
        <source>JPEG frame header is too short</source>
        <translation>JPEG-Frame-Header ist zu kurz</translation>
    </message>
    <message>
        <source>%1-bit JPEG is not supported</source>
        <translation>%1-Bit-JPEG wird nicht unterstützt</translation>
    </message>
    <message>
        <source>JPEG frame header is damaged</source>
        <translation>JPEG-Frame-Header ist beschädigt</translation>
    </message>
    <message>
        <source>JPEG with %1 colour components is not supported</source>
        <translation>JPEG mit %1 Farbkomponenten wird nicht unterstützt</translation>
    </message>
    <message>
        <source>JPEG frame header has bad sampling factors</source>
        <translation>JPEG-Frame-Header hat falsche Abtastfaktoren</translation>
    </message>
    <message>
        <source>JPEG image data starts before the frame header</source>
        <translation>JPEG-Bilddaten beginnen vor dem Frame-Header</translation>
    </message>
    <message>
        <source>JPEG data ends before the end-of-image marker</source>
        <translation>JPEG-Daten enden vor dem Bildende-Marker</translation>
    </message>
    <message>
        <source>PNG data ends inside its header</source>
        <translation>PNG-Daten enden im Header</translation>
    </message>
    <message>
        <source>Apple-optimised PNG (CgBI) is not supported</source>
        <translation>Für Apple optimiertes PNG (CgBI) wird nicht unterstützt</translation>
    </message>
    <message>
        <source>PNG file does not start with an IHDR chunk</source>
        <translation>PNG-Datei beginnt nicht mit einem IHDR-Block</translation>
    </message>
    <message>
        <source>PNG header (IHDR) has a bad CRC</source>
        <translation>PNG-Header (IHDR) hat eine falsche CRC</translation>
    </message>
    <message>
        <source>PNG header has an invalid pixel format (colour type %1, depth %2)</source>
        <translation>PNG-Header hat ein ungültiges Pixelformat (Farbtyp %1, Tiefe %2)</translation>
    </message>
    <message>
        <source>PNG data ends before the IEND chunk</source>
        <translation>PNG-Daten enden vor dem IEND-Block</translation>
    </message>
    <message>
        <source>WebP data ends inside its header</source>
        <translation>WebP-Daten enden im Header</translation>
    </message>
    <message>
        <source>WebP header is damaged</source>
        <translation>WebP-Header ist beschädigt</translation>
    </message>
    <message>
        <source>WebP (VP8) frame header is damaged</source>
        <translation>WebP-Frame-Header (VP8) ist beschädigt</translation>
    </message>
    <message>
        <source>WebP (VP8L) header is damaged</source>
        <translation>WebP-Header (VP8L) ist beschädigt</translation>
    </message>
    <message>
        <source>WebP file has no image chunk</source>
        <translation>WebP-Datei hat keinen Bildblock</translation>
    </message>
    <message>
        <source>WebP data ends early: %1 of %2 bytes present</source>
        <translation>WebP-Daten enden zu früh: %1 von %2 Bytes vorhanden</translation>
    </message>
    <message>
        <source>BMP data ends inside its header</source>
        <translation>BMP-Daten enden im Header</translation>
    </message>
    <message>
        <source>BMP header has an unknown size (%1)</source>
        <translation>BMP-Header hat eine unbekannte Größe (%1)</translation>
    </message>
    <message>
        <source>BMP with embedded JPEG or PNG data is not supported</source>
        <translation>BMP mit eingebetteten JPEG- oder PNG-Daten wird nicht unterstützt</translation>
    </message>
    <message>
        <source>BMP header has an invalid pixel format (%1 bits, compression %2)</source>
        <translation>BMP-Header hat ein ungültiges Pixelformat (%1 Bit, Kompression %2)</translation>
    </message>
    <message>
        <source>BMP header has a bad pixel data offset</source>
        <translation>BMP-Header hat einen falschen Pixeldaten-Offset</translation>
    </message>
    <message>
        <source>BMP data ends early: %1 of %2 bytes present</source>
        <translation>BMP-Daten enden zu früh: %1 von %2 Bytes vorhanden</translation>
    </message>
    <message>
        <source>looks like a PDF document</source>
        <translation>sieht aus wie ein PDF-Dokument</translation>
    </message>
    <message>
        <source>looks like a ZIP archive</source>
        <translation>sieht aus wie ein ZIP-Archiv</translation>
    </message>
    <message>
        <source>looks like a video or other ISO media file</source>
        <translation>sieht aus wie ein Video oder eine andere ISO-Mediendatei</translation>
    </message>
    <message>
        <source>looks like a RIFF file that is not WebP</source>
        <translation>sieht aus wie eine RIFF-Datei, die kein WebP ist</translation>
    </message>
    <message>
        <source>looks like gzip-compressed data</source>
        <translation>sieht aus wie gzip-komprimierte Daten</translation>
    </message>
    <message>
        <source>looks like an SQLite database</source>
        <translation>sieht aus wie eine SQLite-Datenbank</translation>
    </message>
    <message>
        <source>looks like text</source>
        <translation>sieht aus wie Text</translation>
    </message>
    <message>
        <source>The file is empty</source>
        <translation>Die Datei ist leer</translation>
    </message>
    <message>
        <source>%1 files are not supported</source>
        <translation>%1-Dateien werden nicht unterstützt</translation>
    </message>
    <message>
        <source>The data ends inside the image header</source>
        <translation>Die Daten enden im Bildheader</translation>
    </message>
    <message>
        <source>%1 images are not supported</source>
        <translation>%1-Bilder werden nicht unterstützt</translation>
    </message>
    <message>
        <source>The data is not a recognised image</source>
        <translation>Die Daten sind kein erkanntes Bild</translation>
    </message>
    <message>
        <source>The data is not a recognised image (%1)</source>
        <translation>Die Daten sind kein erkanntes Bild (%1)</translation>
    </message>
    <message>
        <source>%1 header gives an impossible image size (%2 x %3)</source>
        <translation>%1-Header gibt eine unmögliche Bildgröße an (%2 x %3)</translation>
    </message>
    <message>
        <source>%1 x %2 pixels exceeds the limit of %3 megapixels</source>
        <translation>%1 x %2 Pixel überschreitet die Grenze von %3 Megapixeln</translation>
    </message>
    <message>
        <source>TIFF data ends inside its header</source>
        <translation>TIFF-Daten enden im Header</translation>
    </message>
    <message>
        <source>TIFF header is damaged</source>
        <translation>TIFF-Header ist beschädigt</translation>
    </message>
    <message>
        <source>TIFF header has no valid image directory</source>
        <translation>TIFF-Header hat kein gültiges Bildverzeichnis</translation>
    </message>
    <message>
        <source>TIFF image directory is empty</source>
        <translation>TIFF-Bildverzeichnis ist leer</translation>
    </message>
    <message>
        <source>DNG camera raw files are not supported</source>
        <translation>DNG-Kamerarohdateien werden nicht unterstützt</translation>
    </message>
    <message>
        <source>TIFF image directory has no image size</source>
        <translation>TIFF-Bildverzeichnis hat keine Bildgröße</translation>
    </message>
    <message>
        <source>TIFF first image is a reduced-resolution preview (camera raw file?)</source>
        <translation>Erstes TIFF-Bild ist eine Vorschau mit reduzierter Auflösung (Kamerarohdatei?)</translation>
    </message>
    <message>
        <source>TIFF image directory has no image data</source>
        <translation>TIFF-Bildverzeichnis hat keine Bilddaten</translation>
    </message>
    <message>
        <source>TIFF image data offsets are damaged</source>
        <translation>TIFF-Bilddaten-Offsets sind beschädigt</translation>
    </message>
    <message>
        <source>TIFF data ends early: %1 of %2 bytes present</source>
        <translation>TIFF-Daten enden zu früh: %1 von %2 Bytes vorhanden</translation>
    </message>
</context>
<context>
    <name>dl::ImageService</name>
    <message>
        <source>There is no image %1 in the store.</source>
        <translation>Es gibt kein Bild %1 in der Ablage.</translation>
    </message>
</context>
<context>
    <name>dl::ImageSide</name>
    <message>
        <source>Cannot create the folder %1.</source>
        <translation>Der Ordner %1 kann nicht angelegt werden.</translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>%1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <source>The image file %1 does not match its checksum; it was not copied (run dermlabel-cli check --verify-hashes on the source).</source>
        <translation>Die Bilddatei %1 passt nicht zu ihrer Prüfsumme; sie wurde nicht kopiert (führen Sie dermlabel-cli check --verify-hashes auf der Quelle aus).</translation>
    </message>
</context>
<context>
    <name>dl::ImportController</name>
    <message>
        <source>Reading %1…</source>
        <translation>Lese %1…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Importing images</source>
        <translation>Bilder werden importiert</translation>
    </message>
    <message>
        <source>Stopping after the current batch; what was imported is kept…</source>
        <translation>Halte nach dem aktuellen Stapel an; was importiert wurde, bleibt erhalten…</translation>
    </message>
    <message>
        <source>Checking and copying images: %1 of %2</source>
        <translation>Bilder prüfen und kopieren: %1 von %2</translation>
    </message>
    <message>
        <source>Recording cases and labels: %1 of %2</source>
        <translation>Fälle und Labels speichern: %1 von %2</translation>
    </message>
</context>
<context>
    <name>dl::ImportReport</name>
    <message>
        <source>%1 new images, %2 duplicates, %3 already imported.</source>
        <translation>%1 neue Bilder, %2 Duplikate, %3 bereits importiert.</translation>
    </message>
    <message>
        <source>%1 new cases, %2 already known; %3 new reference labels.</source>
        <translation>%1 neue Fälle, %2 bereits bekannt; %3 neue Referenzlabels.</translation>
    </message>
    <message>
        <source>%1 files rejected.</source>
        <translation>%1 Dateien abgelehnt.</translation>
    </message>
    <message>
        <source>%1 referenced files missing.</source>
        <translation>%1 referenzierte Dateien fehlen.</translation>
    </message>
    <message>
        <source>An interrupted import of this source was resumed.</source>
        <translation>Ein unterbrochener Import dieser Quelle wurde fortgesetzt.</translation>
    </message>
    <message>
        <source>Cancelled: what was read so far is kept; run the same import again to continue.</source>
        <translation>Abgebrochen: Was bisher gelesen wurde, bleibt erhalten; führen Sie denselben Import erneut aus, um fortzufahren.</translation>
    </message>
    <message>
        <source>%1 images may show a face: flagged for suitability review.</source>
        <translation>%1 Bilder zeigen möglicherweise ein Gesicht: zur Eignungsprüfung markiert.</translation>
    </message>
</context>
<context>
    <name>dl::ImportRun</name>
    <message>
        <source>The store could not be updated: %1</source>
        <translation>Die Ablage konnte nicht aktualisiert werden: %1</translation>
    </message>
    <message>
        <source>%1 cases have no importable image and were not added.</source>
        <translation>%1 Fälle haben kein importierbares Bild und wurden nicht hinzugefügt.</translation>
    </message>
    <message>
        <source>The face check did not run: %1</source>
        <translation>Die Gesichtsprüfung lief nicht: %1</translation>
    </message>
    <message>
        <source>The end of the import could not be recorded: %1</source>
        <translation>Das Ende des Imports konnte nicht vermerkt werden: %1</translation>
    </message>
</context>
<context>
    <name>dl::ImportService</name>
    <message>
        <source>%1 is not a folder.</source>
        <translation>%1 ist kein Ordner.</translation>
    </message>
    <message>
        <source>The folder %1 does not exist.</source>
        <translation>Der Ordner %1 existiert nicht.</translation>
    </message>
</context>
<context>
    <name>dl::InterchangeImporter</name>
    <message>
        <source>Name the rater the labels belong to.</source>
        <translation>Nennen Sie den Bewerter, dem die Labels gehören.</translation>
    </message>
    <message>
        <source>%1 has the role %2. Imported labels must belong to a dermatologist (annotator): QA leads and administrators do not label images, and agreement statistics count dermatologists only. Choose another name.</source>
        <translation>%1 hat die Rolle %2. Importierte Labels müssen einem Dermatologen (Annotator) gehören: QS-Leitungen und Administratoren labeln keine Bilder, und die Übereinstimmungsstatistik zählt nur Dermatologen. Wählen Sie einen anderen Namen.</translation>
    </message>
    <message>
        <source>Cannot read the image %1: %2</source>
        <translation>Das Bild %1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>The image %1 is not in the store by content, and %2 store images were imported from files named %3: cannot tell which one is meant.</source>
        <translation>Das Bild %1 ist nach Inhalt nicht in der Ablage, und %2 Ablagebilder wurden aus Dateien namens %3 importiert: Es ist nicht zu erkennen, welches gemeint ist.</translation>
    </message>
    <message>
        <source>The image %1 is not in the store: import the images first with import --folder.</source>
        <translation>Das Bild %1 ist nicht in der Ablage: Importieren Sie zuerst die Bilder mit import --folder.</translation>
    </message>
    <message>
        <source>The image file %1 does not exist and no store image was imported from a file of that name.</source>
        <translation>Die Bilddatei %1 existiert nicht, und kein Ablagebild wurde aus einer Datei dieses Namens importiert.</translation>
    </message>
    <message>
        <source>%1 refers to the same store image as %2, which was imported first; skipped.</source>
        <translation>%1 verweist auf dasselbe Ablagebild wie %2, das zuerst importiert wurde; übersprungen.</translation>
    </message>
    <message>
        <source>The store image %1 vanished.</source>
        <translation>Das Ablagebild %1 ist verschwunden.</translation>
    </message>
    <message>
        <source>The file is for an image of %1 x %2, but the store image %3 is displayed %4 x %5; skipped.</source>
        <translation>Die Datei ist für ein Bild von %1 x %2, aber das Ablagebild %3 wird mit %4 x %5 angezeigt; übersprungen.</translation>
    </message>
    <message>
        <source>The label &quot;%1&quot; is neither a condition of the taxonomy nor identifying:&lt;kind&gt; (%2); its region was skipped.</source>
        <translation>Das Label „%1“ ist weder eine Erkrankung der Taxonomie noch identifying:&lt;kind&gt; (%2); seine Region wurde übersprungen.</translation>
    </message>
    <message>
        <source>The region labelled &quot;%1&quot; has no pixel inside the image; skipped.</source>
        <translation>Die mit „%1“ gelabelte Region hat kein Pixel im Bild; übersprungen.</translation>
    </message>
    <message>
        <source>No region with a known label: nothing to import.</source>
        <translation>Keine Region mit bekanntem Label: nichts zu importieren.</translation>
    </message>
    <message>
        <source>Nothing was written for this image: %1</source>
        <translation>Für dieses Bild wurde nichts geschrieben: %1</translation>
    </message>
    <message>
        <source>%1 already answered &apos;cannot determine&apos; for this image: the region of %2 was skipped.</source>
        <translation>%1 hat für dieses Bild bereits „nicht bestimmbar“ geantwortet: Die Region von %2 wurde übersprungen.</translation>
    </message>
    <message>
        <source>At most %1 potential diagnoses: the region of %2 (one of the smallest) was skipped.</source>
        <translation>Höchstens %1 mögliche Diagnosen: Die Region von %2 (eine der kleinsten) wurde übersprungen.</translation>
    </message>
    <message>
        <source>The labels of %1 were changed by another session during the import; import again.</source>
        <translation>Die Labels von %1 wurden während des Imports von einer anderen Sitzung geändert; importieren Sie erneut.</translation>
    </message>
    <message>
        <source>%1 is not a folder: give the folder that holds the LabelMe JSON files.</source>
        <translation>%1 ist kein Ordner: Geben Sie den Ordner an, der die LabelMe-JSON-Dateien enthält.</translation>
    </message>
    <message>
        <source>There is no folder %1.</source>
        <translation>Es gibt keinen Ordner %1.</translation>
    </message>
    <message>
        <source>There are no LabelMe files (*.json) under %1.</source>
        <translation>Unter %1 gibt es keine LabelMe-Dateien (*.json).</translation>
    </message>
    <message>
        <source>Cannot read the file: %1</source>
        <translation>Die Datei kann nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>Not a LabelMe file: %1</source>
        <translation>Keine LabelMe-Datei: %1</translation>
    </message>
    <message>
        <source>There is no COCO file %1.</source>
        <translation>Es gibt keine COCO-Datei %1.</translation>
    </message>
    <message>
        <source>Give the folder the COCO file&apos;s images are in.</source>
        <translation>Geben Sie den Ordner an, in dem die Bilder der COCO-Datei liegen.</translation>
    </message>
    <message>
        <source>There is no folder %1 for the COCO images.</source>
        <translation>Es gibt keinen Ordner %1 für die COCO-Bilder.</translation>
    </message>
    <message>
        <source>Cannot import %1: %2</source>
        <translation>%1 kann nicht importiert werden: %2</translation>
    </message>
</context>
<context>
    <name>dl::InterchangeReport</name>
    <message>
        <source>Read %1 COCO image entries</source>
        <translation>%1 COCO-Bildeinträge gelesen</translation>
    </message>
    <message>
        <source>Read %1 LabelMe files</source>
        <translation>%1 LabelMe-Dateien gelesen</translation>
    </message>
    <message>
        <source>: %1 images matched in the store (%2 by file name), %3 updated, %4 already up to date; %5 annotations and %6 masks written for %7; %8 skipped, %9 warnings.</source>
        <translation>: %1 Bilder in der Ablage zugeordnet (%2 über den Dateinamen), %3 aktualisiert, %4 bereits aktuell; %5 Annotationen und %6 Masken für %7 geschrieben; %8 übersprungen, %9 Warnungen.</translation>
    </message>
    <message>
        <source>Created the dermatologist account %1, disabled: it cannot sign in until an administrator enables it and sets a password (workstation: Users).</source>
        <translation>Das Dermatologenkonto %1 wurde deaktiviert angelegt: Es kann sich erst anmelden, wenn ein Administrator es aktiviert und ein Passwort setzt (Arbeitsplatz: Benutzer).</translation>
    </message>
    <message>
        <source>Cancelled: the images done so far are stored; run the same import again to finish.</source>
        <translation>Abgebrochen: Die bisher bearbeiteten Bilder sind gespeichert; führen Sie denselben Import erneut aus, um ihn abzuschließen.</translation>
    </message>
</context>
<context>
    <name>dl::JpegValidator</name>
    <message>
        <source>JPEG file has more than one frame header</source>
        <translation>JPEG-Datei hat mehr als einen Frame-Header</translation>
    </message>
    <message>
        <source>lossless or hierarchical JPEG is not supported</source>
        <translation>Verlustfreies oder hierarchisches JPEG wird nicht unterstützt</translation>
    </message>
    <message>
        <source>JPEG frame header is too short</source>
        <translation>JPEG-Frame-Header ist zu kurz</translation>
    </message>
    <message>
        <source>%1-bit JPEG is not supported</source>
        <translation>%1-Bit-JPEG wird nicht unterstützt</translation>
    </message>
    <message>
        <source>JPEG frame header gives an impossible image size (%1 x %2)</source>
        <translation>JPEG-Frame-Header gibt eine unmögliche Bildgröße an (%1 x %2)</translation>
    </message>
    <message>
        <source>JPEG frame header is damaged</source>
        <translation>JPEG-Frame-Header ist beschädigt</translation>
    </message>
    <message>
        <source>JPEG image is too large to check</source>
        <translation>JPEG-Bild ist zu groß für die Prüfung</translation>
    </message>
    <message>
        <source>JPEG frame header has bad sampling factors</source>
        <translation>JPEG-Frame-Header hat falsche Abtastfaktoren</translation>
    </message>
    <message>
        <source>JPEG Huffman table is damaged</source>
        <translation>JPEG-Huffman-Tabelle ist beschädigt</translation>
    </message>
    <message>
        <source>JPEG quantisation table is damaged</source>
        <translation>JPEG-Quantisierungstabelle ist beschädigt</translation>
    </message>
    <message>
        <source>JPEG image data is damaged: %1 unexpected bytes before byte %2</source>
        <translation>JPEG-Bilddaten sind beschädigt: %1 unerwartete Bytes vor Byte %2</translation>
    </message>
    <message>
        <source>JPEG data ends inside the image data (scan %1, %2 of %3 blocks)</source>
        <translation>JPEG-Daten enden in den Bilddaten (Scan %1, %2 von %3 Blöcken)</translation>
    </message>
    <message>
        <source>JPEG image data ends early (scan %1, %2 of %3 blocks)</source>
        <translation>JPEG-Bilddaten enden zu früh (Scan %1, %2 von %3 Blöcken)</translation>
    </message>
    <message>
        <source>JPEG image data is damaged: unexpected marker 0x%1 at byte %2 (scan %3)</source>
        <translation>JPEG-Bilddaten sind beschädigt: unerwarteter Marker 0x%1 bei Byte %2 (Scan %3)</translation>
    </message>
    <message>
        <source>JPEG image data starts before the frame header</source>
        <translation>JPEG-Bilddaten beginnen vor dem Frame-Header</translation>
    </message>
    <message>
        <source>JPEG scan header is damaged</source>
        <translation>JPEG-Scan-Header ist beschädigt</translation>
    </message>
    <message>
        <source>JPEG scan header names an unknown component</source>
        <translation>JPEG-Scan-Header nennt eine unbekannte Komponente</translation>
    </message>
    <message>
        <source>JPEG progressive scan parameters are invalid</source>
        <translation>Parameter des progressiven JPEG-Scans sind ungültig</translation>
    </message>
    <message>
        <source>JPEG scan uses an undefined quantisation table</source>
        <translation>JPEG-Scan verwendet eine nicht definierte Quantisierungstabelle</translation>
    </message>
    <message>
        <source>JPEG image data is damaged: restart marker out of sequence at byte %1</source>
        <translation>JPEG-Bilddaten sind beschädigt: Restart-Marker außer der Reihe bei Byte %1</translation>
    </message>
    <message>
        <source>invalid Huffman code</source>
        <translation>ungültiger Huffman-Code</translation>
    </message>
    <message>
        <source>impossible coefficient</source>
        <translation>unmöglicher Koeffizient</translation>
    </message>
    <message>
        <source>impossible DC value</source>
        <translation>unmöglicher DC-Wert</translation>
    </message>
    <message>
        <source>JPEG image data is damaged: %1 near byte %2 (scan %3)</source>
        <translation>JPEG-Bilddaten sind beschädigt: %1 nahe Byte %2 (Scan %3)</translation>
    </message>
    <message>
        <source>The data is not a JPEG image</source>
        <translation>Die Daten sind kein JPEG-Bild</translation>
    </message>
    <message>
        <source>JPEG data ends before the end-of-image marker</source>
        <translation>JPEG-Daten enden vor dem Bildende-Marker</translation>
    </message>
    <message>
        <source>JPEG data ends inside its header</source>
        <translation>JPEG-Daten enden im Header</translation>
    </message>
    <message>
        <source>JPEG file ends before any image data</source>
        <translation>JPEG-Datei endet vor allen Bilddaten</translation>
    </message>
    <message>
        <source>JPEG data is damaged: unexpected marker 0x%1 at byte %2</source>
        <translation>JPEG-Daten sind beschädigt: unerwarteter Marker 0x%1 bei Byte %2</translation>
    </message>
    <message>
        <source>JPEG data is damaged: bad segment length at byte %1</source>
        <translation>JPEG-Daten sind beschädigt: falsche Segmentlänge bei Byte %1</translation>
    </message>
    <message>
        <source>JPEG data ends inside a marker segment</source>
        <translation>JPEG-Daten enden in einem Markersegment</translation>
    </message>
    <message>
        <source>JPEG restart interval segment is damaged</source>
        <translation>JPEG-Segment für das Restart-Intervall ist beschädigt</translation>
    </message>
</context>
<context>
    <name>dl::LabelConflictPanel</name>
    <message>
        <source>&lt;b&gt;Not saved: these labels were changed elsewhere&lt;/b&gt; (in another window or on another workstation) since they were opened here. Nothing was overwritten.</source>
        <translation>&lt;b&gt;Nicht gespeichert: Diese Labels wurden anderswo geändert&lt;/b&gt; (in einem anderen Fenster oder an einem anderen Arbeitsplatz), seit sie hier geöffnet wurden. Nichts wurde überschrieben.</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>Feld</translation>
    </message>
    <message>
        <source>Stored now</source>
        <translation>Jetzt gespeichert</translation>
    </message>
    <message>
        <source>Yours (not saved)</source>
        <translation>Ihre (nicht gespeichert)</translation>
    </message>
    <message>
        <source>&amp;Keep stored labels</source>
        <translation>Gespeicherte Labels &amp;behalten</translation>
    </message>
    <message>
        <source>Your edits are replaced by the stored labels (Undo brings them back).</source>
        <translation>Ihre Änderungen werden durch die gespeicherten Labels ersetzt (Rückgängig holt sie zurück).</translation>
    </message>
    <message>
        <source>&amp;Overwrite with mine</source>
        <translation>Mit meinen &amp;überschreiben</translation>
    </message>
    <message>
        <source>Your labels are saved over the stored ones.</source>
        <translation>Ihre Labels werden über die gespeicherten gespeichert.</translation>
    </message>
    <message>
        <source>Cannot determine</source>
        <translation>Nicht bestimmbar</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Notiz</translation>
    </message>
    <message>
        <source>Confidence, rank %1</source>
        <translation>Sicherheit, Rang %1</translation>
    </message>
    <message>
        <source>Not answered</source>
        <translation>Nicht beantwortet</translation>
    </message>
    <message>
        <source>Region: %1</source>
        <translation>Region: %1</translation>
    </message>
    <message>
        <source>Drawn elsewhere</source>
        <translation>Anderswo gezeichnet</translation>
    </message>
    <message>
        <source>Your drawing (not saved)</source>
        <translation>Ihre Zeichnung (nicht gespeichert)</translation>
    </message>
</context>
<context>
    <name>dl::LabelFields</name>
    <message>
        <source>Gradable</source>
        <translation>Beurteilbar</translation>
    </message>
    <message>
        <source>Reason not gradable</source>
        <translation>Grund für „nicht beurteilbar“</translation>
    </message>
    <message>
        <source>Visible skin condition</source>
        <translation>Sichtbare Hauterkrankung</translation>
    </message>
    <message>
        <source>Sensitive content</source>
        <translation>Sensibler Inhalt</translation>
    </message>
    <message>
        <source>Diagnosis, rank 1 (top-1)</source>
        <translation>Diagnose, Rang 1 (Top-1)</translation>
    </message>
    <message>
        <source>Diagnosis, rank 2</source>
        <translation>Diagnose, Rang 2</translation>
    </message>
    <message>
        <source>Diagnosis, rank 3</source>
        <translation>Diagnose, Rang 3</translation>
    </message>
    <message>
        <source>Diagnosis (weighted)</source>
        <translation>Diagnose (gewichtet)</translation>
    </message>
    <message>
        <source>Fitzpatrick type</source>
        <translation>Fitzpatrick-Hauttyp</translation>
    </message>
    <message>
        <source>Fitzpatrick gradable</source>
        <translation>Fitzpatrick beurteilbar</translation>
    </message>
    <message>
        <source>Monk skin tone</source>
        <translation>Monk-Hautton</translation>
    </message>
    <message>
        <source>Monk tone gradable</source>
        <translation>Monk-Ton beurteilbar</translation>
    </message>
    <message>
        <source>Identifying: %1</source>
        <extracomment>%1 is a kind of identifying content as the label form names it, with a lower-case initial.</extracomment>
        <translation>Identifizierend: %1</translation>
    </message>
</context>
<context>
    <name>dl::LabelForm</name>
    <message>
        <source>&amp;Quality</source>
        <translation>&amp;Qualität</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>Ja</translation>
    </message>
    <message>
        <source>Gradable for a skin condition (G)</source>
        <translation>Beurteilbar für eine Hauterkrankung (G)</translation>
    </message>
    <message>
        <source>No</source>
        <translation>Nein</translation>
    </message>
    <message>
        <source>Not gradable (Shift+G)</source>
        <translation>Nicht beurteilbar (Shift+G)</translation>
    </message>
    <message>
        <source>Gradable</source>
        <translation>Beurteilbar</translation>
    </message>
    <message>
        <source>Gradable: yes</source>
        <translation>Beurteilbar: ja</translation>
    </message>
    <message>
        <source>Gradable: no</source>
        <translation>Beurteilbar: nein</translation>
    </message>
    <message>
        <source>Choose a reason…</source>
        <translation>Grund wählen…</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <source>Not gradable because: %1</source>
        <translation>Nicht beurteilbar, weil: %1</translation>
    </message>
    <message>
        <source>S&amp;uitability</source>
        <translation>E&amp;ignung</translation>
    </message>
    <message>
        <source>Shows a visible skin condition (V)</source>
        <translation>Zeigt eine sichtbare Hauterkrankung (V)</translation>
    </message>
    <message>
        <source>Shows no visible skin condition (N)</source>
        <translation>Zeigt keine sichtbare Hauterkrankung (N)</translation>
    </message>
    <message>
        <source>Unsure</source>
        <translation>Unsicher</translation>
    </message>
    <message>
        <source>Unsure whether a skin condition is visible (U)</source>
        <translation>Unsicher, ob eine Hauterkrankung sichtbar ist (U)</translation>
    </message>
    <message>
        <source>Visible skin condition</source>
        <translation>Sichtbare Hauterkrankung</translation>
    </message>
    <message>
        <source>Visible skin condition: %1</source>
        <translation>Sichtbare Hauterkrankung: %1</translation>
    </message>
    <message>
        <source>Sensitive content (S toggles)</source>
        <translation>Sensibler Inhalt (S schaltet um)</translation>
    </message>
    <message>
        <source>No sensitive content (S toggles)</source>
        <translation>Kein sensibler Inhalt (S schaltet um)</translation>
    </message>
    <message>
        <source>Sensitive content</source>
        <translation>Sensibler Inhalt</translation>
    </message>
    <message>
        <source>Sensitive content: yes</source>
        <translation>Sensibler Inhalt: ja</translation>
    </message>
    <message>
        <source>Sensitive content: no</source>
        <translation>Sensibler Inhalt: nein</translation>
    </message>
    <message>
        <source>Identifying content</source>
        <translation>Identifizierender Inhalt</translation>
    </message>
    <message>
        <source>Identifying content: %1</source>
        <translation>Identifizierender Inhalt: %1</translation>
    </message>
    <message>
        <source>No identifying content: %1</source>
        <translation>Kein identifizierender Inhalt: %1</translation>
    </message>
    <message>
        <source>Potential &amp;diagnoses</source>
        <translation>Mögliche &amp;Diagnosen</translation>
    </message>
    <message>
        <source>Cannot determine</source>
        <translation>Nicht bestimmbar</translation>
    </message>
    <message>
        <source>No diagnosis can be given from this image (C)</source>
        <translation>Aus diesem Bild lässt sich keine Diagnose stellen (C)</translation>
    </message>
    <message>
        <source>Diagnosis: cannot determine</source>
        <translation>Diagnose: nicht bestimmbar</translation>
    </message>
    <message>
        <source>Diagnosis: can be determined</source>
        <translation>Diagnose: bestimmbar</translation>
    </message>
    <message>
        <source>Skin &amp;type</source>
        <translation>&amp;Hauttyp</translation>
    </message>
    <message>
        <source>Fitzpatrick</source>
        <translation>Fitzpatrick</translation>
    </message>
    <message>
        <source>Fitzpatrick type %1 (F then %2)</source>
        <translation>Fitzpatrick-Hauttyp %1 (F, dann %2)</translation>
    </message>
    <message>
        <source>Not gradable</source>
        <translation>Nicht beurteilbar</translation>
    </message>
    <message>
        <source>Fitzpatrick type not gradable (F then N)</source>
        <translation>Fitzpatrick-Hauttyp nicht beurteilbar (F, dann N)</translation>
    </message>
    <message>
        <source>Fitzpatrick type: %1</source>
        <translation>Fitzpatrick-Hauttyp: %1</translation>
    </message>
    <message>
        <source>Monk skin tone</source>
        <translation>Monk-Hautton</translation>
    </message>
    <message>
        <source>Monk skin tone: not gradable</source>
        <translation>Monk-Hautton: nicht beurteilbar</translation>
    </message>
    <message>
        <source>Monk skin tone: %1</source>
        <translation>Monk-Hautton: %1</translation>
    </message>
    <message>
        <source>N&amp;ote</source>
        <translation>N&amp;otiz</translation>
    </message>
    <message>
        <source>Anything a reviewer should know about this image</source>
        <translation>Alles, was ein Prüfer über dieses Bild wissen sollte</translation>
    </message>
    <message>
        <source>Edit note</source>
        <translation>Notiz bearbeiten</translation>
    </message>
    <message>
        <source>Diagnosis %1: %2</source>
        <translation>Diagnose %1: %2</translation>
    </message>
    <message>
        <source>Diagnosis %1 confidence: %2</source>
        <translation>Sicherheit von Diagnose %1: %2</translation>
    </message>
    <message>
        <source>Remove diagnosis %1: %2</source>
        <translation>Diagnose %1 entfernen: %2</translation>
    </message>
    <message>
        <source>Complete</source>
        <translation>Vollständig</translation>
    </message>
    <message>
        <source>1 question left</source>
        <translation>1 Frage offen</translation>
    </message>
    <message>
        <source>%1 questions left</source>
        <translation>%1 Fragen offen</translation>
    </message>
    <message>
        <source>  ·  Fitzpatrick: press 1-6 or N</source>
        <translation>  ·  Fitzpatrick: 1-6 oder N drücken</translation>
    </message>
    <message>
        <source>  ·  Monk tone: press 1-9, 0 (10) or N</source>
        <translation>  ·  Monk-Ton: 1-9, 0 (10) oder N drücken</translation>
    </message>
    <message>
        <source>  ·  read only</source>
        <translation>  ·  schreibgeschützt</translation>
    </message>
    <message>
        <source>Visible skin condition: yes</source>
        <translation>Sichtbare Hauterkrankung: ja</translation>
    </message>
    <message>
        <source>Visible skin condition: no</source>
        <translation>Sichtbare Hauterkrankung: nein</translation>
    </message>
    <message>
        <source>Visible skin condition: unsure</source>
        <translation>Sichtbare Hauterkrankung: unsicher</translation>
    </message>
    <message>
        <source>Sensitive content: toggle yes / no</source>
        <translation>Sensibler Inhalt: ja / nein umschalten</translation>
    </message>
    <message>
        <source>Go to the first empty diagnosis</source>
        <translation>Zur ersten leeren Diagnose gehen</translation>
    </message>
    <message>
        <source>Confidence of the diagnosis that has the focus</source>
        <translation>Sicherheit der Diagnose mit dem Fokus</translation>
    </message>
    <message>
        <source>Diagnosis: toggle cannot determine</source>
        <translation>Diagnose: „nicht bestimmbar“ umschalten</translation>
    </message>
    <message>
        <source>Fitzpatrick type I - VI</source>
        <translation>Fitzpatrick-Hauttyp I - VI</translation>
    </message>
    <message>
        <source>Fitzpatrick type not gradable</source>
        <translation>Fitzpatrick-Hauttyp nicht beurteilbar</translation>
    </message>
    <message>
        <source>Monk skin tone 1 - 10 (0 is 10)</source>
        <translation>Monk-Hautton 1 - 10 (0 ist 10)</translation>
    </message>
    <message>
        <source>Monk skin tone not gradable</source>
        <translation>Monk-Hautton nicht beurteilbar</translation>
    </message>
    <message>
        <source>Go to Quality, Suitability, Diagnoses, Skin type, Note</source>
        <translation>Zu Qualität, Eignung, Diagnosen, Hauttyp, Notiz gehen</translation>
    </message>
    <message>
        <source>Not started: 6 questions, gradability first</source>
        <translation>Nicht begonnen: 6 Fragen, zuerst die Beurteilbarkeit</translation>
    </message>
</context>
<context>
    <name>dl::LabelMeReader</name>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>%1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>The LabelMe file says the image is %1 x %2, but it is %3 x %4.</source>
        <translation>Laut LabelMe-Datei ist das Bild %1 x %2, es ist aber %3 x %4.</translation>
    </message>
    <message>
        <source>The LabelMe file has no &quot;shapes&quot; array.</source>
        <translation>Die LabelMe-Datei hat kein „shapes“-Array.</translation>
    </message>
    <message>
        <source>shapes[%1] is not an object.</source>
        <translation>shapes[%1] ist kein Objekt.</translation>
    </message>
    <message>
        <source>shapes[%1] has no &quot;label&quot;.</source>
        <translation>shapes[%1] hat kein „label“.</translation>
    </message>
    <message>
        <source>shapes[%1] (&quot;%2&quot;)</source>
        <translation>shapes[%1] („%2“)</translation>
    </message>
    <message>
        <source>%1: &quot;shape_type&quot; is not a string.</source>
        <translation>%1: „shape_type“ ist keine Zeichenkette.</translation>
    </message>
    <message>
        <source>%1: &quot;points&quot; must be a list of [x, y] number pairs.</source>
        <translation>%1: „points“ muss eine Liste von [x, y]-Zahlenpaaren sein.</translation>
    </message>
    <message>
        <source>%1: a polygon with fewer than 3 points; ignored.</source>
        <translation>%1: ein Polygon mit weniger als 3 Punkten; ignoriert.</translation>
    </message>
    <message>
        <source>%1: a rectangle needs 2 points; ignored.</source>
        <translation>%1: Ein Rechteck braucht 2 Punkte; ignoriert.</translation>
    </message>
    <message>
        <source>%1: a circle needs 2 points; ignored.</source>
        <translation>%1: Ein Kreis braucht 2 Punkte; ignoriert.</translation>
    </message>
    <message>
        <source>%1: %2 shapes are not regions; ignored.</source>
        <translation>%1: %2-Formen sind keine Regionen; ignoriert.</translation>
    </message>
    <message>
        <source>%1: unknown shape type &quot;%2&quot;; ignored.</source>
        <translation>%1: unbekannter Formtyp „%2“; ignoriert.</translation>
    </message>
    <message>
        <source>The LabelMe file says the image is %1 x %2, more than %3 megapixels: refused before drawing any shape.</source>
        <translation>Laut LabelMe-Datei ist das Bild %1 x %2, mehr als %3 Megapixel: abgelehnt, bevor eine Form gezeichnet wurde.</translation>
    </message>
</context>
<context>
    <name>dl::LabelMeWriter</name>
    <message>
        <source>A LabelMe file needs an image path.</source>
        <translation>Eine LabelMe-Datei braucht einen Bildpfad.</translation>
    </message>
    <message>
        <source>Invalid image size %1 x %2.</source>
        <translation>Ungültige Bildgröße %1 x %2.</translation>
    </message>
    <message>
        <source>The &quot;%1&quot; mask is %2 x %3 (type %4), not %5 x %6 8-bit.</source>
        <translation>Die Maske „%1“ ist %2 x %3 (Typ %4), nicht %5 x %6 mit 8 Bit.</translation>
    </message>
    <message>
        <source>The &quot;%1&quot; mask could not be encoded.</source>
        <translation>Die Maske „%1“ konnte nicht kodiert werden.</translation>
    </message>
</context>
<context>
    <name>dl::LabelVocabulary</name>
    <message>
        <source>Blurry</source>
        <translation>Unscharf</translation>
    </message>
    <message>
        <source>Poor lighting</source>
        <translation>Schlechte Beleuchtung</translation>
    </message>
    <message>
        <source>Too far</source>
        <translation>Zu weit entfernt</translation>
    </message>
    <message>
        <source>Cropped or obstructed</source>
        <translation>Beschnitten oder verdeckt</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>Sonstiges</translation>
    </message>
    <message>
        <source>Face</source>
        <translation>Gesicht</translation>
    </message>
    <message>
        <source>Tattoo</source>
        <translation>Tätowierung</translation>
    </message>
    <message>
        <source>Jewellery or birthmark</source>
        <translation>Schmuck oder Muttermal</translation>
    </message>
    <message>
        <source>Background landmark</source>
        <translation>Markantes im Hintergrund</translation>
    </message>
    <message>
        <source>Visible text</source>
        <translation>Sichtbarer Text</translation>
    </message>
</context>
<context>
    <name>dl::LabellingDocument</name>
    <message>
        <source>Keep the stored labels</source>
        <translation>Gespeicherte Labels behalten</translation>
    </message>
</context>
<context>
    <name>dl::LabellingView</name>
    <message>
        <source>Next Image</source>
        <translation>Nächstes Bild</translation>
    </message>
    <message>
        <source>Previous Image</source>
        <translation>Vorheriges Bild</translation>
    </message>
    <message>
        <source>Skip Image</source>
        <translation>Bild überspringen</translation>
    </message>
    <message>
        <source>Flag for QA</source>
        <translation>Für die QS markieren</translation>
    </message>
    <message>
        <source>Zoom &amp;Out</source>
        <translation>Ver&amp;kleinern</translation>
    </message>
    <message>
        <source>Zoom &amp;In</source>
        <translation>Ver&amp;größern</translation>
    </message>
    <message>
        <source>&amp;Fit to Window</source>
        <translation>An &amp;Fenster anpassen</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>Anpassen</translation>
    </message>
    <message>
        <source>&amp;Actual Size (100%)</source>
        <translation>&amp;Originalgröße (100 %)</translation>
    </message>
    <message>
        <source>Brightness</source>
        <translation>Helligkeit</translation>
    </message>
    <message>
        <source>Contrast</source>
        <translation>Kontrast</translation>
    </message>
    <message>
        <source>Brightness %1 (view only; Ctrl+B / Ctrl+Shift+B)</source>
        <translation>Helligkeit %1 (nur Ansicht; Ctrl+B / Ctrl+Shift+B)</translation>
    </message>
    <message>
        <source>Contrast %1 (view only; Ctrl+E / Ctrl+Shift+E)</source>
        <translation>Kontrast %1 (nur Ansicht; Ctrl+E / Ctrl+Shift+E)</translation>
    </message>
    <message>
        <source>&amp;Brighter</source>
        <translation>&amp;Heller</translation>
    </message>
    <message>
        <source>Brighter</source>
        <translation>Heller</translation>
    </message>
    <message>
        <source>&amp;Darker</source>
        <translation>&amp;Dunkler</translation>
    </message>
    <message>
        <source>Darker</source>
        <translation>Dunkler</translation>
    </message>
    <message>
        <source>&amp;More Contrast</source>
        <translation>&amp;Mehr Kontrast</translation>
    </message>
    <message>
        <source>More contrast</source>
        <translation>Mehr Kontrast</translation>
    </message>
    <message>
        <source>&amp;Less Contrast</source>
        <translation>&amp;Weniger Kontrast</translation>
    </message>
    <message>
        <source>Less contrast</source>
        <translation>Weniger Kontrast</translation>
    </message>
    <message>
        <source>&amp;Reset View</source>
        <translation>Ansicht &amp;zurücksetzen</translation>
    </message>
    <message>
        <source>Reset</source>
        <translation>Zurücksetzen</translation>
    </message>
    <message>
        <source>Zoom: fitted to the window</source>
        <translation>Zoom: an das Fenster angepasst</translation>
    </message>
    <message>
        <source>Zoom</source>
        <translation>Zoom</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 von %2</translation>
    </message>
    <message>
        <source>Saved</source>
        <translation>Gespeichert</translation>
    </message>
    <message>
        <source>The image cannot be shown: %1</source>
        <translation>Das Bild kann nicht angezeigt werden: %1</translation>
    </message>
    <message>
        <source>Not saved: %1</source>
        <translation>Nicht gespeichert: %1</translation>
    </message>
    <message>
        <source>All images</source>
        <translation>Alle Bilder</translation>
    </message>
    <message>
        <source>To do</source>
        <translation>Offen</translation>
    </message>
    <message>
        <source>In progress</source>
        <translation>In Arbeit</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Fertig</translation>
    </message>
    <message>
        <source>Skipped</source>
        <translation>Übersprungen</translation>
    </message>
    <message>
        <source>Flagged for QA</source>
        <translation>Für die QS markiert</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>Image %1 of %2 · %3</source>
        <translation>Bild %1 von %2 · %3</translation>
    </message>
    <message>
        <source>These labels are read-only: the mask tools are off.</source>
        <translation>Diese Labels sind schreibgeschützt: Die Maskenwerkzeuge sind aus.</translation>
    </message>
    <message>
        <source>No masks for this image.</source>
        <translation>Keine Masken für dieses Bild.</translation>
    </message>
    <message>
        <source>The masks cannot be opened: %1</source>
        <translation>Die Masken können nicht geöffnet werden: %1</translation>
    </message>
    <message>
        <source>The mask tools are on once the full image is loaded.</source>
        <translation>Die Maskenwerkzeuge sind an, sobald das ganze Bild geladen ist.</translation>
    </message>
    <message>
        <source>The image is %1 x %2 but its masks are %3 x %4: the mask tools are off.</source>
        <translation>Das Bild ist %1 x %2, aber seine Masken sind %3 x %4: Die Maskenwerkzeuge sind aus.</translation>
    </message>
</context>
<context>
    <name>dl::LayerAgreementReport</name>
    <message>
        <source>A stored mask of image %1 (%2) cannot be read: %3</source>
        <translation>Eine gespeicherte Maske von Bild %1 (%2) ist nicht lesbar: %3</translation>
    </message>
</context>
<context>
    <name>dl::MagicWandTool</name>
    <message>
        <source>Selecting…</source>
        <translation>Wähle aus…</translation>
    </message>
    <message>
        <source>Wait for the segmentation to finish.</source>
        <translation>Warten Sie, bis die Segmentierung fertig ist.</translation>
    </message>
</context>
<context>
    <name>dl::MainWindow</name>
    <message>
        <source>Store</source>
        <translation>Ablage</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;New Store…</source>
        <translation>&amp;Neue Ablage…</translation>
    </message>
    <message>
        <source>&amp;Open Store…</source>
        <translation>Ablage ö&amp;ffnen…</translation>
    </message>
    <message>
        <source>Open &amp;Recent</source>
        <translation>&amp;Zuletzt geöffnet</translation>
    </message>
    <message>
        <source>&amp;Import</source>
        <translation>&amp;Importieren</translation>
    </message>
    <message>
        <source>Image &amp;Folder…</source>
        <translation>Bild&amp;ordner…</translation>
    </message>
    <message>
        <source>Ctrl+I</source>
        <translation>Ctrl+I</translation>
    </message>
    <message>
        <source>&amp;SCIN Dataset…</source>
        <translation>&amp;SCIN-Datensatz…</translation>
    </message>
    <message>
        <source>&amp;PASSION Dataset…</source>
        <translation>&amp;PASSION-Datensatz…</translation>
    </message>
    <message>
        <source>Sign &amp;Out</source>
        <translation>Ab&amp;melden</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Bearbeiten</translation>
    </message>
    <message>
        <source>&amp;Preferences…</source>
        <translation>&amp;Einstellungen…</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>&amp;Image</source>
        <translation>B&amp;ild</translation>
    </message>
    <message>
        <source>&amp;Admin</source>
        <translation>&amp;Verwaltung</translation>
    </message>
    <message>
        <source>&amp;Users…</source>
        <translation>&amp;Benutzer…</translation>
    </message>
    <message>
        <source>&amp;Assign Images…</source>
        <translation>Bilder &amp;zuweisen…</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>&amp;Keyboard Shortcuts</source>
        <translation>&amp;Tastenkürzel</translation>
    </message>
    <message>
        <source>&amp;About DermLabel</source>
        <translation>Ü&amp;ber DermLabel</translation>
    </message>
    <message>
        <source>Cannot open the store</source>
        <translation>Die Ablage kann nicht geöffnet werden</translation>
    </message>
    <message>
        <source>Wait for the running import to finish first.</source>
        <translation>Warten Sie zuerst, bis der laufende Import fertig ist.</translation>
    </message>
    <message>
        <source>Cannot sign in</source>
        <translation>Anmeldung nicht möglich</translation>
    </message>
    <message>
        <source>&lt;b&gt;Welcome to DermLabel.&lt;/b&gt;</source>
        <translation>&lt;b&gt;Willkommen bei DermLabel.&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Create Store…</source>
        <translation>Ablage anlegen…</translation>
    </message>
    <message>
        <source>Open Store…</source>
        <translation>Ablage öffnen…</translation>
    </message>
    <message>
        <source>DermLabel stores (*.dermlabel);;All files (*)</source>
        <translation>DermLabel-Ablagen (*.dermlabel);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>&amp;Rückgängig</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>&amp;Wiederholen</translation>
    </message>
    <message>
        <source>Create Store</source>
        <translation>Ablage anlegen</translation>
    </message>
    <message>
        <source>Open Store</source>
        <translation>Ablage öffnen</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>Importieren</translation>
    </message>
    <message>
        <source>Choose the SCIN dataset folder</source>
        <translation>Den Ordner des SCIN-Datensatzes wählen</translation>
    </message>
    <message>
        <source>Choose the PASSION dataset folder</source>
        <translation>Den Ordner des PASSION-Datensatzes wählen</translation>
    </message>
    <message>
        <source>Choose a folder of images</source>
        <translation>Einen Bildordner wählen</translation>
    </message>
    <message>
        <source>The import could not be done.</source>
        <translation>Der Import konnte nicht ausgeführt werden.</translation>
    </message>
    <message>
        <source>Import cancelled.</source>
        <translation>Import abgebrochen.</translation>
    </message>
    <message>
        <source>Import finished.</source>
        <translation>Import abgeschlossen.</translation>
    </message>
    <message>
        <source>Interrupted import</source>
        <translation>Unterbrochener Import</translation>
    </message>
    <message>
        <source>An import of %1 started at %2 did not finish. Resume it now? Images already imported are kept and skipped.</source>
        <translation>Ein Import von %1, begonnen am %2, wurde nicht abgeschlossen. Jetzt fortsetzen? Bereits importierte Bilder bleiben erhalten und werden übersprungen.</translation>
    </message>
    <message>
        <source>%1 (%2) · %3</source>
        <translation>%1 (%2) · %3</translation>
    </message>
    <message>
        <source>No store open</source>
        <translation>Keine Ablage geöffnet</translation>
    </message>
    <message>
        <source>No images are assigned to you yet.
An administrator assigns the work.</source>
        <translation>Ihnen sind noch keine Bilder zugewiesen.
Ein Administrator verteilt die Arbeit.</translation>
    </message>
    <message>
        <source>This store has no images yet.
Import a folder or a dataset: File › Import.</source>
        <translation>Diese Ablage hat noch keine Bilder.
Importieren Sie einen Ordner oder einen Datensatz: Datei › Importieren.</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Your queue&lt;/h3&gt;&lt;table cellspacing=&apos;4&apos;&gt;&lt;tr&gt;&lt;td&gt;Assigned images&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%1&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Done&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%2&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;To go&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%3&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</source>
        <translation>&lt;h3&gt;Ihre Warteschlange&lt;/h3&gt;&lt;table cellspacing=&apos;4&apos;&gt;&lt;tr&gt;&lt;td&gt;Zugewiesene Bilder&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%1&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Fertig&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%2&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Offen&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%3&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</translation>
    </message>
    <message>
        <source>%1 of %2 images done</source>
        <translation>%1 von %2 Bildern fertig</translation>
    </message>
    <message>
        <source>&lt;h3&gt;%1&lt;/h3&gt;&lt;table cellspacing=&apos;4&apos;&gt;&lt;tr&gt;&lt;td&gt;Images&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%2&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Cases&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%3&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Reference labels&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%4&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Users&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%5&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Annotations&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%6&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Sources&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%7&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Image data&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%8 MB&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</source>
        <translation>&lt;h3&gt;%1&lt;/h3&gt;&lt;table cellspacing=&apos;4&apos;&gt;&lt;tr&gt;&lt;td&gt;Bilder&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%2&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Fälle&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%3&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Referenzlabels&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%4&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Benutzer&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%5&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Annotationen&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%6&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Quellen&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%7&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Bilddaten&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%8 MB&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</translation>
    </message>
    <message>
        <source>1 image</source>
        <translation>1 Bild</translation>
    </message>
    <message>
        <source>%1 images</source>
        <translation>%1 Bilder</translation>
    </message>
    <message>
        <source>%1 new assignments over %2 images.</source>
        <translation>%1 neue Zuweisungen über %2 Bilder.</translation>
    </message>
    <message>
        <source>The new language applies when DermLabel is restarted.</source>
        <translation>Die neue Sprache gilt nach einem Neustart von DermLabel.</translation>
    </message>
    <message>
        <source>About DermLabel</source>
        <translation>Über DermLabel</translation>
    </message>
    <message>
        <source>&lt;h3&gt;DermLabel %1&lt;/h3&gt;&lt;p&gt;An annotation workstation for de-identified dermatology images: quality, suitability, differential diagnoses, skin type and tone, and region masks, labelled by several dermatologists independently.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;DermLabel %1&lt;/h3&gt;&lt;p&gt;Ein Annotationsarbeitsplatz für de-identifizierte dermatologische Bilder: Qualität, Eignung, Differenzialdiagnosen, Hauttyp und -ton sowie Regionsmasken, unabhängig von mehreren Dermatologen gelabelt.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Import running</source>
        <translation>Import läuft</translation>
    </message>
    <message>
        <source>An import is running. Stop it and quit? What was imported so far is kept; the import can be resumed later.</source>
        <translation>Ein Import läuft. Anhalten und beenden? Was bisher importiert wurde, bleibt erhalten; der Import kann später fortgesetzt werden.</translation>
    </message>
    <message>
        <source>&amp;Quality Dashboard</source>
        <translation>&amp;Qualitäts-Dashboard</translation>
    </message>
    <message>
        <source>&amp;Export Bundle…</source>
        <translation>Paket e&amp;xportieren…</translation>
    </message>
    <message>
        <source>Open &amp;Team Store…</source>
        <translation>&amp;Team-Ablage öffnen…</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>&amp;Werkzeuge</translation>
    </message>
    <message>
        <source>&amp;Training Store: Show Reference Labels to Raters</source>
        <translation>&amp;Trainingsablage: Referenzlabels den Bewertern zeigen</translation>
    </message>
    <message>
        <source>Training Store</source>
        <translation>Trainingsablage</translation>
    </message>
    <message>
        <source>Labels, images and users live in a store: a file on this computer, or a team store on your team&apos;s server. Create a new store, or open one that an administrator gave you.</source>
        <translation>Labels, Bilder und Benutzer liegen in einer Ablage: einer Datei auf diesem Computer oder einer Team-Ablage auf dem Server Ihres Teams. Legen Sie eine neue Ablage an oder öffnen Sie eine, die Ihnen ein Administrator gegeben hat.</translation>
    </message>
    <message>
        <source>Open Team Store…</source>
        <translation>Team-Ablage öffnen…</translation>
    </message>
    <message>
        <source>Open a store to begin: File › Open Store, or File › Open Team Store for your team&apos;s server.</source>
        <translation>Öffnen Sie eine Ablage, um zu beginnen: Datei › Ablage öffnen, oder Datei › Team-Ablage öffnen für den Server Ihres Teams.</translation>
    </message>
    <message>
        <source>&lt;p&gt;No store is open.&lt;/p&gt;&lt;p&gt;Use &lt;b&gt;File › New Store&lt;/b&gt;, &lt;b&gt;File › Open Store&lt;/b&gt; or, for your team&apos;s server, &lt;b&gt;File › Open Team Store&lt;/b&gt;.&lt;/p&gt;</source>
        <translation>&lt;p&gt;Keine Ablage ist geöffnet.&lt;/p&gt;&lt;p&gt;Verwenden Sie &lt;b&gt;Datei › Neue Ablage&lt;/b&gt;, &lt;b&gt;Datei › Ablage öffnen&lt;/b&gt; oder, für den Server Ihres Teams, &lt;b&gt;Datei › Team-Ablage öffnen&lt;/b&gt;.&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>dl::MaskCanvas</name>
    <message>
        <source>[ / ], Shift+wheel</source>
        <translation>[ / ], Shift+Mausrad</translation>
    </message>
    <message>
        <source>Brush smaller / larger</source>
        <translation>Pinsel kleiner / größer</translation>
    </message>
    <message>
        <source>Shift+click or drag</source>
        <translation>Shift+Klick oder Ziehen</translation>
    </message>
    <message>
        <source>Erase with a paint tool (brush, polygon, rectangle, fill, wand)</source>
        <translation>Mit einem Malwerkzeug radieren (Pinsel, Polygon, Rechteck, Füllen, Zauberstab)</translation>
    </message>
    <message>
        <source>Click, drag</source>
        <translation>Klick, Ziehen</translation>
    </message>
    <message>
        <source>Polygon: add a vertex; drag draws a freehand lasso</source>
        <translation>Polygon: einen Eckpunkt hinzufügen; Ziehen zeichnet ein Freihand-Lasso</translation>
    </message>
    <message>
        <source>Enter, double-click</source>
        <translation>Enter, Doppelklick</translation>
    </message>
    <message>
        <source>Polygon: close and fill</source>
        <translation>Polygon: schließen und füllen</translation>
    </message>
    <message>
        <source>Backspace</source>
        <translation>Backspace</translation>
    </message>
    <message>
        <source>Polygon: remove the last vertex</source>
        <translation>Polygon: den letzten Eckpunkt entfernen</translation>
    </message>
    <message>
        <source>Esc</source>
        <translation>Esc</translation>
    </message>
    <message>
        <source>Cancel the polygon, the running segmentation, or end the GrabCut session</source>
        <translation>Das Polygon oder die laufende Segmentierung abbrechen oder die GrabCut-Sitzung beenden</translation>
    </message>
    <message>
        <source>Drag, then drag / right drag</source>
        <translation>Ziehen, dann Ziehen / Rechtsziehen</translation>
    </message>
    <message>
        <source>GrabCut: box, then foreground / background strokes (or Alt+drag)</source>
        <translation>GrabCut: Rahmen, dann Vordergrund- / Hintergrundstriche (oder Alt+Ziehen)</translation>
    </message>
    <message>
        <source>Drag / right drag, Enter</source>
        <translation>Ziehen / Rechtsziehen, Enter</translation>
    </message>
    <message>
        <source>GrabCut from strokes: foreground / background strokes (or Alt+drag); segments when a foreground stroke ends, or on Enter</source>
        <translation>GrabCut aus Strichen: Vordergrund- / Hintergrundstriche (oder Alt+Ziehen); segmentiert, wenn ein Vordergrundstrich endet, oder bei Enter</translation>
    </message>
    <message>
        <source>The mask tools are off.</source>
        <translation>Die Maskenwerkzeuge sind aus.</translation>
    </message>
    <message>
        <source>No masks for this image.</source>
        <translation>Keine Masken für dieses Bild.</translation>
    </message>
    <message>
        <source>The image is %1 x %2 but its masks are %3 x %4: the tools are off.</source>
        <translation>Das Bild ist %1 x %2, aber seine Masken sind %3 x %4: Die Werkzeuge sind aus.</translation>
    </message>
    <message>
        <source>Add a potential diagnosis or tick an identifying kind to draw its region.</source>
        <translation>Fügen Sie eine mögliche Diagnose hinzu oder kreuzen Sie eine identifizierende Art an, um ihre Region zu zeichnen.</translation>
    </message>
    <message>
        <source>Wait for the segmentation to finish.</source>
        <translation>Warten Sie, bis die Segmentierung fertig ist.</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>Abgebrochen.</translation>
    </message>
</context>
<context>
    <name>dl::MaskCodec</name>
    <message>
        <source>The mask data is not a PNG image.</source>
        <translation>Die Maskendaten sind kein PNG-Bild.</translation>
    </message>
    <message>
        <source>The mask PNG is damaged or truncated.</source>
        <translation>Das Masken-PNG ist beschädigt oder abgeschnitten.</translation>
    </message>
    <message>
        <source>The mask PNG is not an 8-bit greyscale image.</source>
        <translation>Das Masken-PNG ist kein 8-Bit-Graustufenbild.</translation>
    </message>
    <message>
        <source>Invalid image size %1 x %2.</source>
        <translation>Ungültige Bildgröße %1 x %2.</translation>
    </message>
    <message>
        <source>The shape is not a LabelMe mask shape.</source>
        <translation>Die Form ist keine LabelMe-Maskenform.</translation>
    </message>
    <message>
        <source>A mask shape needs points [[x1, y1], [x2, y2]].</source>
        <translation>Eine Maskenform braucht die Punkte [[x1, y1], [x2, y2]].</translation>
    </message>
    <message>
        <source>The mask shape&apos;s box [[%1, %2], [%3, %4]] is inverted.</source>
        <translation>Der Rahmen [[%1, %2], [%3, %4]] der Maskenform ist vertauscht.</translation>
    </message>
    <message>
        <source>The mask shape&apos;s box [[%1, %2], [%3, %4]] lies outside the %5 x %6 image.</source>
        <translation>Der Rahmen [[%1, %2], [%3, %4]] der Maskenform liegt außerhalb des %5 x %6-Bildes.</translation>
    </message>
    <message>
        <source>The mask shape has no base64 &quot;mask&quot; image.</source>
        <translation>Die Maskenform hat kein base64-„mask“-Bild.</translation>
    </message>
    <message>
        <source>The mask shape&apos;s &quot;mask&quot; is not valid base64.</source>
        <translation>Die „mask“ der Maskenform ist kein gültiges base64.</translation>
    </message>
    <message>
        <source>The mask shape&apos;s &quot;mask&quot; is not a readable PNG image.</source>
        <translation>Die „mask“ der Maskenform ist kein lesbares PNG-Bild.</translation>
    </message>
    <message>
        <source>The mask shape&apos;s image is %1 x %2 but its box is %3 x %4.</source>
        <translation>Das Bild der Maskenform ist %1 x %2, ihr Rahmen aber %3 x %4.</translation>
    </message>
    <message>
        <source>The mask shape&apos;s &quot;mask&quot; is not a PNG image.</source>
        <translation>Die „mask“ der Maskenform ist kein PNG-Bild.</translation>
    </message>
    <message>
        <source>The mask shape&apos;s &quot;mask&quot; is not a readable PNG image: %1</source>
        <translation>Die „mask“ der Maskenform ist kein lesbares PNG-Bild: %1</translation>
    </message>
    <message>
        <source>The mask shape&apos;s PNG header says %1 x %2 but its box is %3 x %4; not decoded.</source>
        <translation>Laut PNG-Header der Maskenform ist sie %1 x %2, ihr Rahmen aber %3 x %4; nicht dekodiert.</translation>
    </message>
</context>
<context>
    <name>dl::MaskDocument</name>
    <message>
        <source>Unknown mask layer &quot;%1&quot;.</source>
        <translation>Unbekannte Maskenebene „%1“.</translation>
    </message>
    <message>
        <source>The mask is %1 x %2 but the image is %3 x %4.</source>
        <translation>Die Maske ist %1 x %2, das Bild aber %3 x %4.</translation>
    </message>
</context>
<context>
    <name>dl::MaskEditCommand</name>
    <message>
        <source>Brush</source>
        <translation>Pinsel</translation>
    </message>
    <message>
        <source>Eraser</source>
        <translation>Radierer</translation>
    </message>
    <message>
        <source>Polygon</source>
        <translation>Polygon</translation>
    </message>
    <message>
        <source>Rectangle</source>
        <translation>Rechteck</translation>
    </message>
    <message>
        <source>Fill</source>
        <translation>Füllen</translation>
    </message>
    <message>
        <source>Fill holes</source>
        <translation>Löcher füllen</translation>
    </message>
    <message>
        <source>Remove specks</source>
        <translation>Sprenkel entfernen</translation>
    </message>
    <message>
        <source>Smooth edge</source>
        <translation>Rand glätten</translation>
    </message>
    <message>
        <source>Assisted segmentation</source>
        <translation>Assistierte Segmentierung</translation>
    </message>
    <message>
        <source>Superpixel brush</source>
        <translation>Superpixel-Pinsel</translation>
    </message>
</context>
<context>
    <name>dl::MaskLayer</name>
    <message>
        <source>Other identifying content</source>
        <translation>Anderer identifizierender Inhalt</translation>
    </message>
    <message>
        <source>%1 (identifying)</source>
        <translation>%1 (identifizierend)</translation>
    </message>
</context>
<context>
    <name>dl::MaskLayerPanel</name>
    <message>
        <source>Regions</source>
        <translation>Regionen</translation>
    </message>
    <message>
        <source>Add a potential diagnosis or tick an identifying kind to draw its region.</source>
        <translation>Fügen Sie eine mögliche Diagnose hinzu oder kreuzen Sie eine identifizierende Art an, um ihre Region zu zeichnen.</translation>
    </message>
    <message>
        <source>Tick to show a region; select a row to draw on it</source>
        <translation>Ankreuzen, um eine Region zu zeigen; eine Zeile wählen, um darauf zu zeichnen</translation>
    </message>
    <message>
        <source>Opacity</source>
        <translation>Deckkraft</translation>
    </message>
    <message>
        <source>Opacity of the selected region</source>
        <translation>Deckkraft der gewählten Region</translation>
    </message>
    <message>
        <source>Outline only</source>
        <translation>Nur Umriss</translation>
    </message>
    <message>
        <source>Fill holes</source>
        <translation>Löcher füllen</translation>
    </message>
    <message>
        <source>Fill the holes of the selected region</source>
        <translation>Die Löcher der gewählten Region füllen</translation>
    </message>
    <message>
        <source>Remove specks</source>
        <translation>Sprenkel entfernen</translation>
    </message>
    <message>
        <source>Remove the parts of the selected region smaller than the size given</source>
        <translation>Die Teile der gewählten Region entfernen, die kleiner als die angegebene Größe sind</translation>
    </message>
    <message>
        <source> px</source>
        <translation> px</translation>
    </message>
    <message>
        <source>Smallest part kept, in pixels</source>
        <translation>Kleinster behaltener Teil, in Pixeln</translation>
    </message>
    <message>
        <source>Smooth</source>
        <translation>Glätten</translation>
    </message>
    <message>
        <source>Smooth the outline of the selected region</source>
        <translation>Den Umriss der gewählten Region glätten</translation>
    </message>
    <message>
        <source>Smoothing radius, in pixels</source>
        <translation>Glättungsradius, in Pixeln</translation>
    </message>
    <message>
        <source>%1%</source>
        <translation>%1 %</translation>
    </message>
    <message>
        <source>%1 — not in labels</source>
        <translation>%1 — nicht in den Labels</translation>
    </message>
    <message>
        <source>%1: no longer among the labels; kept while it has pixels</source>
        <translation>%1: nicht mehr unter den Labels; behalten, solange es Pixel hat</translation>
    </message>
</context>
<context>
    <name>dl::MaskService</name>
    <message>
        <source>the image inside is %1 x %2</source>
        <translation>das Bild darin ist %1 x %2</translation>
    </message>
    <message>
        <source>unknown encoding &quot;%1&quot;</source>
        <translation>unbekannte Kodierung „%1“</translation>
    </message>
    <message>
        <source>Version %1 of mask layer %2 cannot be read: %3</source>
        <translation>Version %1 der Maskenebene %2 ist nicht lesbar: %3</translation>
    </message>
    <message>
        <source>This image is not assigned to %1.</source>
        <translation>Dieses Bild ist %1 nicht zugewiesen.</translation>
    </message>
    <message>
        <source>There is no image %1.</source>
        <translation>Es gibt kein Bild %1.</translation>
    </message>
    <message>
        <source>The stored mask %1 is %2 x %3 but the image is displayed %4 x %5.</source>
        <translation>Die gespeicherte Maske %1 ist %2 x %3, aber das Bild wird mit %4 x %5 angezeigt.</translation>
    </message>
    <message>
        <source>Only the author may change masks.</source>
        <translation>Nur der Autor darf Masken ändern.</translation>
    </message>
    <message>
        <source>The masks are %1 x %2 but the image is displayed %3 x %4.</source>
        <translation>Die Masken sind %1 x %2, aber das Bild wird mit %3 x %4 angezeigt.</translation>
    </message>
    <message>
        <source>Unknown mask layer &quot;%1&quot;.</source>
        <translation>Unbekannte Maskenebene „%1“.</translation>
    </message>
    <message>
        <source>There is no version %1 of mask layer %2.</source>
        <translation>Es gibt keine Version %1 der Maskenebene %2.</translation>
    </message>
    <message>
        <source>The mask %1 is %2 x %3 but the image is displayed %4 x %5.</source>
        <translation>Die Maske %1 ist %2 x %3, aber das Bild wird mit %4 x %5 angezeigt.</translation>
    </message>
    <message>
        <source>The labels of this image were changed elsewhere at the same time; saving again.</source>
        <translation>Die Labels dieses Bildes wurden gleichzeitig anderswo geändert; speichere erneut.</translation>
    </message>
    <message>
        <source>These regions were changed elsewhere (in another window or on another workstation) since they were read here; nothing was overwritten.</source>
        <translation>Diese Regionen wurden anderswo geändert (in einem anderen Fenster oder an einem anderen Arbeitsplatz), seit sie hier gelesen wurden; nichts wurde überschrieben.</translation>
    </message>
</context>
<context>
    <name>dl::MaskToolBar</name>
    <message>
        <source>Pan</source>
        <translation>Verschieben</translation>
    </message>
    <message>
        <source>drag to move the image (the masks are not changed)</source>
        <translation>ziehen, um das Bild zu verschieben (die Masken ändern sich nicht)</translation>
    </message>
    <message>
        <source>Brush</source>
        <translation>Pinsel</translation>
    </message>
    <message>
        <source>paint the selected region; Shift erases; [ and ] set the size</source>
        <translation>die gewählte Region malen; Shift radiert; [ und ] stellen die Größe ein</translation>
    </message>
    <message>
        <source>Eraser</source>
        <translation>Radierer</translation>
    </message>
    <message>
        <source>erase from the selected region; [ and ] set the size</source>
        <translation>aus der gewählten Region radieren; [ und ] stellen die Größe ein</translation>
    </message>
    <message>
        <source>Polygon / Lasso</source>
        <translation>Polygon / Lasso</translation>
    </message>
    <message>
        <source>click vertices or drag freehand; Enter or double-click closes, Backspace removes a vertex, Esc cancels</source>
        <translation>Eckpunkte klicken oder freihand ziehen; Enter oder Doppelklick schließt, Backspace entfernt einen Eckpunkt, Esc bricht ab</translation>
    </message>
    <message>
        <source>Rectangle</source>
        <translation>Rechteck</translation>
    </message>
    <message>
        <source>drag a rectangle; Shift erases</source>
        <translation>ein Rechteck ziehen; Shift radiert</translation>
    </message>
    <message>
        <source>Fill</source>
        <translation>Füllen</translation>
    </message>
    <message>
        <source>click inside a closed outline to fill it; Shift+click clears a region</source>
        <translation>in einen geschlossenen Umriss klicken, um ihn zu füllen; Shift+Klick leert eine Region</translation>
    </message>
    <message>
        <source>Magic Wand</source>
        <translation>Zauberstab</translation>
    </message>
    <message>
        <source>click to add the area of similar colour (see Tolerance); Shift removes it</source>
        <translation>klicken, um den Bereich ähnlicher Farbe hinzuzufügen (siehe Toleranz); Shift entfernt ihn</translation>
    </message>
    <message>
        <source>Assisted (GrabCut)</source>
        <translation>Assistiert (GrabCut)</translation>
    </message>
    <message>
        <source>start from a box dragged around the lesion or (Strokes) from rough strokes over it; refine: drag over what belongs, right drag (or Alt+drag) over what does not; Esc ends</source>
        <translation>mit einem um die Läsion gezogenen Rahmen oder (Striche) mit groben Strichen darüber beginnen; verfeinern: über das ziehen, was dazugehört, mit rechter Maustaste (oder Alt+Ziehen) über das, was nicht dazugehört; Esc beendet</translation>
    </message>
    <message>
        <source>Superpixel Brush</source>
        <translation>Superpixel-Pinsel</translation>
    </message>
    <message>
        <source>paint whole superpixels (similar-looking patches); Shift erases</source>
        <translation>ganze Superpixel malen (ähnlich aussehende Flächen); Shift radiert</translation>
    </message>
    <message>
        <source>Mask Tools</source>
        <translation>Maskenwerkzeuge</translation>
    </message>
    <message>
        <source>%1 (%2): %3</source>
        <translation>%1 (%2): %3</translation>
    </message>
    <message>
        <source>Smaller Brush</source>
        <translation>Kleinerer Pinsel</translation>
    </message>
    <message>
        <source>Larger Brush</source>
        <translation>Größerer Pinsel</translation>
    </message>
    <message>
        <source> px</source>
        <translation> px</translation>
    </message>
    <message>
        <source>Brush size in image pixels ([ and ], Shift+wheel)</source>
        <translation>Pinselgröße in Bildpixeln ([ und ], Shift+Mausrad)</translation>
    </message>
    <message>
        <source>Brush size</source>
        <translation>Pinselgröße</translation>
    </message>
    <message>
        <source>Tolerance </source>
        <translation>Toleranz </translation>
    </message>
    <message>
        <source>Magic wand: how far a colour may be from the clicked one (0-255 per channel)</source>
        <translation>Zauberstab: wie weit eine Farbe von der angeklickten entfernt sein darf (0-255 je Kanal)</translation>
    </message>
    <message>
        <source>Magic wand tolerance</source>
        <translation>Zauberstab-Toleranz</translation>
    </message>
    <message>
        <source>Box</source>
        <translation>Rahmen</translation>
    </message>
    <message>
        <source>GrabCut starts from a box: drag it around the lesion, leaving some skin outside</source>
        <translation>GrabCut beginnt mit einem Rahmen: ihn um die Läsion ziehen und etwas Haut außerhalb lassen</translation>
    </message>
    <message>
        <source>Strokes</source>
        <translation>Striche</translation>
    </message>
    <message>
        <source>GrabCut starts from rough strokes: drag over the lesion (foreground), right drag or Alt+drag over skin (background); it segments when a foreground stroke ends, or on Enter</source>
        <translation>GrabCut beginnt mit groben Strichen: über die Läsion ziehen (Vordergrund), mit rechter Maustaste oder Alt+Ziehen über Haut (Hintergrund); segmentiert, wenn ein Vordergrundstrich endet, oder bei Enter</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Stop the segmentation (Esc)</source>
        <translation>Die Segmentierung anhalten (Esc)</translation>
    </message>
    <message>
        <source>%1

Off: %2</source>
        <translation>%1

Aus: %2</translation>
    </message>
    <message>
        <source>Choose a tool to draw the selected region</source>
        <translation>Ein Werkzeug wählen, um die gewählte Region zu zeichnen</translation>
    </message>
    <message>
        <source>Drag a box around the lesion; then drag over what belongs, right drag over what does not; Esc ends</source>
        <translation>Einen Rahmen um die Läsion ziehen; dann über das ziehen, was dazugehört, mit rechter Maustaste über das, was nicht dazugehört; Esc beendet</translation>
    </message>
    <message>
        <source>Drag over the lesion, right drag (or Alt+drag) over skin: it segments when a stroke ends (Enter runs waiting strokes); more strokes refine; Esc ends</source>
        <translation>Über die Läsion ziehen, mit rechter Maustaste (oder Alt+Ziehen) über Haut: Segmentiert, wenn ein Strich endet (Enter verarbeitet wartende Striche); weitere Striche verfeinern; Esc beendet</translation>
    </message>
</context>
<context>
    <name>dl::MetadataStripper</name>
    <message>
        <source>Only JPEG and PNG files can be stripped of metadata losslessly; this is neither.</source>
        <translation>Nur JPEG- und PNG-Dateien lassen sich verlustfrei von Metadaten befreien; diese ist keins von beiden.</translation>
    </message>
    <message>
        <source>The JPEG has EXIF orientation %1: stripping its metadata would rotate it. Apply the orientation and re-encode it instead.</source>
        <translation>Das JPEG hat die EXIF-Ausrichtung %1: Das Entfernen seiner Metadaten würde es drehen. Wenden Sie stattdessen die Ausrichtung an und kodieren Sie es neu.</translation>
    </message>
    <message>
        <source>Corrupt JPEG: the JFIF segment is too short.</source>
        <translation>Beschädigtes JPEG: Das JFIF-Segment ist zu kurz.</translation>
    </message>
    <message>
        <source>Cannot encode a null image.</source>
        <translation>Ein Nullbild kann nicht kodiert werden.</translation>
    </message>
    <message>
        <source>Could not encode the image as PNG: %1</source>
        <translation>Das Bild konnte nicht als PNG kodiert werden: %1</translation>
    </message>
    <message>
        <source>%1 The profile was dropped; the colours are read as sRGB.</source>
        <translation>%1 Das Profil wurde verworfen; die Farben werden als sRGB gelesen.</translation>
    </message>
    <message>
        <source>An Adobe segment shorter than 12 bytes was dropped.</source>
        <translation>Ein Adobe-Segment kürzer als 12 Bytes wurde verworfen.</translation>
    </message>
</context>
<context>
    <name>dl::MonkSwatches</name>
    <message>
        <source>Monk skin tone %1 (key M then %2)</source>
        <translation>Monk-Hautton %1 (Taste M, dann %2)</translation>
    </message>
    <message>
        <source>Monk tone %1</source>
        <translation>Monk-Ton %1</translation>
    </message>
    <message>
        <source>N/G</source>
        <translation>n. b.</translation>
    </message>
    <message>
        <source>Monk skin tone not gradable (key M then N)</source>
        <translation>Monk-Hautton nicht beurteilbar (Taste M, dann N)</translation>
    </message>
</context>
<context>
    <name>dl::NewUserDialog</name>
    <message>
        <source>Add User</source>
        <translation>Benutzer hinzufügen</translation>
    </message>
    <message>
        <source>User &amp;name:</source>
        <translation>&amp;Benutzername:</translation>
    </message>
    <message>
        <source>e.g. dr.okafor</source>
        <translation>z. B. dr.okafor</translation>
    </message>
    <message>
        <source>&amp;Display name:</source>
        <translation>&amp;Anzeigename:</translation>
    </message>
    <message>
        <source>e.g. Dr. Amara Okafor</source>
        <translation>z. B. Dr. Amara Okafor</translation>
    </message>
    <message>
        <source>&amp;Role:</source>
        <translation>&amp;Rolle:</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>&amp;Passwort:</translation>
    </message>
    <message>
        <source>R&amp;epeat password:</source>
        <translation>Passwort &amp;wiederholen:</translation>
    </message>
    <message>
        <source>&amp;Add User</source>
        <translation>Benutzer &amp;hinzufügen</translation>
    </message>
    <message>
        <source>The user name is what they type to sign in.</source>
        <translation>Der Benutzername ist das, was die Person zum Anmelden eingibt.</translation>
    </message>
    <message>
        <source>The password needs at least %1 characters.</source>
        <translation>Das Passwort braucht mindestens %1 Zeichen.</translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation>Die beiden Passwörter sind verschieden.</translation>
    </message>
</context>
<context>
    <name>dl::OverlapTableModel</name>
    <message>
        <source>Diagnosis: top-1 agreement</source>
        <translation>Diagnose: Top-1-Übereinstimmung</translation>
    </message>
    <message>
        <source>Share of rater pairs naming the same first condition, mean over images</source>
        <translation>Anteil der Bewerterpaare, die dieselbe erste Erkrankung nennen, gemittelt über die Bilder</translation>
    </message>
    <message>
        <source>Diagnosis: top-3 overlap</source>
        <translation>Diagnose: Top-3-Überlappung</translation>
    </message>
    <message>
        <source>Overlap coefficient of the raters&apos; up-to-three conditions (shared / size of the shorter list), mean over images</source>
        <translation>Überlappungskoeffizient der bis zu drei Erkrankungen der Bewerter (gemeinsame / Größe der kürzeren Liste), gemittelt über die Bilder</translation>
    </message>
    <message>
        <source>Region Dice: %1</source>
        <translation>Regions-Dice: %1</translation>
    </message>
    <message>
        <source>Mean Dice (2 |A ∩ B| / (|A| + |B|)) over every pair of raters who drew this region; lowest pair %1</source>
        <translation>Mittleres Dice (2 |A ∩ B| / (|A| + |B|)) über alle Bewerterpaare, die diese Region gezeichnet haben; niedrigstes Paar %1</translation>
    </message>
    <message>
        <source>Region IoU: %1</source>
        <translation>Regions-IoU: %1</translation>
    </message>
    <message>
        <source>Mean intersection over union over every pair of raters who drew this region</source>
        <translation>Mittlere Intersection over Union über alle Bewerterpaare, die diese Region gezeichnet haben</translation>
    </message>
    <message numerus="yes">
        <source>%1 in %2: %3 over %n image(s), %4 against all images</source>
        <translation>
            <numerusform>%1 in %2: %3 über %n Bild, %4 über alle Bilder</numerusform>
            <numerusform>%1 in %2: %3 über %n Bilder, %4 über alle Bilder</numerusform>
        </translation>
    </message>
    <message>
        <source>n %1</source>
        <translation>n %1</translation>
    </message>
    <message>
        <source>%1 %2: the value over this group&apos;s images</source>
        <translation>%1 %2: der Wert über die Bilder dieser Gruppe</translation>
    </message>
    <message>
        <source>Images of this group the value rests on</source>
        <translation>Bilder dieser Gruppe, auf denen der Wert beruht</translation>
    </message>
    <message>
        <source>Measure</source>
        <translation>Maß</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>Bilder</translation>
    </message>
    <message>
        <source>Rater pairs</source>
        <translation>Bewerterpaare</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Wert</translation>
    </message>
    <message>
        <source>Images with at least two raters&apos; differentials (diagnoses) or regions (masks)</source>
        <translation>Bilder mit Differenzialdiagnosen (Diagnosen) oder Regionen (Masken) von mindestens zwei Bewertern</translation>
    </message>
    <message>
        <source>Pairs of raters who both drew the region, over all images</source>
        <translation>Bewerterpaare, die beide die Region gezeichnet haben, über alle Bilder</translation>
    </message>
    <message>
        <source>Mean over rater pairs; 1 is full agreement, 0 none</source>
        <translation>Mittel über Bewerterpaare; 1 ist volle Übereinstimmung, 0 keine</translation>
    </message>
</context>
<context>
    <name>dl::PassionReader</name>
    <message>
        <source>PASSION dataset: non-commercial use only; attribution required; any attempt to re-identify the people shown is prohibited.</source>
        <translation>PASSION-Datensatz: nur nichtkommerzielle Nutzung; Namensnennung erforderlich; jeder Versuch, die gezeigten Personen zu re-identifizieren, ist verboten.</translation>
    </message>
    <message>
        <source>%1 is not a folder.</source>
        <translation>%1 ist kein Ordner.</translation>
    </message>
    <message>
        <source>%1 has no label.csv: is it a PASSION dataset folder?</source>
        <translation>%1 hat keine label.csv: Ist es ein PASSION-Datensatzordner?</translation>
    </message>
    <message>
        <source>There is no images/ folder; only metadata was read.</source>
        <translation>Es gibt keinen Ordner images/; nur Metadaten wurden gelesen.</translation>
    </message>
    <message>
        <source>%1 does not follow the &lt;subject_id&gt;_&lt;n&gt; naming; skipped.</source>
        <translation>%1 folgt nicht der Benennung &lt;subject_id&gt;_&lt;n&gt;; übersprungen.</translation>
    </message>
    <message>
        <source>label.csv line %1: empty subject_id; row skipped.</source>
        <translation>label.csv Zeile %1: leere subject_id; Zeile übersprungen.</translation>
    </message>
    <message>
        <source>label.csv line %1: subject %2 appears again; only the first row is used.</source>
        <translation>label.csv Zeile %1: Proband %2 kommt erneut vor; nur die erste Zeile wird verwendet.</translation>
    </message>
    <message>
        <source>Subject %1: &apos;%2&apos; is not a Fitzpatrick type.</source>
        <translation>Proband %1: „%2“ ist kein Fitzpatrick-Hauttyp.</translation>
    </message>
    <message>
        <source>%1 subjects in label.csv have no images: %2</source>
        <translation>%1 Probanden in label.csv haben keine Bilder: %2</translation>
    </message>
    <message>
        <source>%1 images belong to subjects that label.csv does not list and were not imported: %2</source>
        <translation>%1 Bilder gehören zu Probanden, die label.csv nicht aufführt, und wurden nicht importiert: %2</translation>
    </message>
    <message>
        <source>PASSION_split.csv names %1 subjects that label.csv lacks: %2</source>
        <translation>PASSION_split.csv nennt %1 Probanden, die in label.csv fehlen: %2</translation>
    </message>
</context>
<context>
    <name>dl::PasswordDialog</name>
    <message>
        <source>Reset Password</source>
        <translation>Passwort zurücksetzen</translation>
    </message>
    <message>
        <source>A new password for &lt;b&gt;%1&lt;/b&gt;. Tell it to them in person; they sign in with it from now on.</source>
        <translation>Ein neues Passwort für &lt;b&gt;%1&lt;/b&gt;. Teilen Sie es persönlich mit; ab jetzt meldet sich die Person damit an.</translation>
    </message>
    <message>
        <source>New &amp;password:</source>
        <translation>Neues &amp;Passwort:</translation>
    </message>
    <message>
        <source>R&amp;epeat:</source>
        <translation>&amp;Wiederholen:</translation>
    </message>
    <message>
        <source>&amp;Set Password</source>
        <translation>Passwort &amp;setzen</translation>
    </message>
    <message>
        <source>At least %1 characters.</source>
        <translation>Mindestens %1 Zeichen.</translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation>Die beiden Passwörter sind verschieden.</translation>
    </message>
</context>
<context>
    <name>dl::Permissions</name>
    <message>
        <source>The account %1 is disabled.</source>
        <translation>Das Konto %1 ist deaktiviert.</translation>
    </message>
    <message>
        <source>%1 (%2) is not allowed to do this.</source>
        <translation>%1 (%2) darf das nicht.</translation>
    </message>
</context>
<context>
    <name>dl::PngValidator</name>
    <message>
        <source>The data is not a PNG image</source>
        <translation>Die Daten sind kein PNG-Bild</translation>
    </message>
    <message>
        <source>PNG data ends before the IEND chunk</source>
        <translation>PNG-Daten enden vor dem IEND-Block</translation>
    </message>
    <message>
        <source>PNG chunk structure is damaged at byte %1</source>
        <translation>PNG-Blockstruktur ist bei Byte %1 beschädigt</translation>
    </message>
    <message>
        <source>PNG data ends inside the %1 chunk</source>
        <translation>PNG-Daten enden im %1-Block</translation>
    </message>
    <message>
        <source>PNG chunk %1 at byte %2 has a bad CRC</source>
        <translation>PNG-Block %1 bei Byte %2 hat eine falsche CRC</translation>
    </message>
    <message>
        <source>PNG header chunk is misplaced</source>
        <translation>PNG-Header-Block steht an falscher Stelle</translation>
    </message>
    <message>
        <source>PNG file does not start with an IHDR chunk</source>
        <translation>PNG-Datei beginnt nicht mit einem IHDR-Block</translation>
    </message>
    <message>
        <source>PNG palette image has no palette</source>
        <translation>PNG-Palettenbild hat keine Palette</translation>
    </message>
    <message>
        <source>PNG image data does not start with a valid zlib header</source>
        <translation>PNG-Bilddaten beginnen nicht mit einem gültigen zlib-Header</translation>
    </message>
    <message>
        <source>PNG file has no image data</source>
        <translation>PNG-Datei hat keine Bilddaten</translation>
    </message>
</context>
<context>
    <name>dl::PolygonTool</name>
    <message>
        <source>A polygon needs at least three vertices.</source>
        <translation>Ein Polygon braucht mindestens drei Eckpunkte.</translation>
    </message>
</context>
<context>
    <name>dl::PostgresServer</name>
    <message>
        <source>Cannot reach the PostgreSQL server %1: %2. Check the host name and port, and that the server is running and accepts connections from this computer.</source>
        <translation>Der PostgreSQL-Server %1 ist nicht erreichbar: %2. Prüfen Sie Hostname und Port und ob der Server läuft und Verbindungen von diesem Computer annimmt.</translation>
    </message>
    <message>
        <source>The PostgreSQL server %1 refused the password of %2 (wrong password, or no such role).</source>
        <translation>Der PostgreSQL-Server %1 hat das Passwort von %2 abgelehnt (falsches Passwort oder keine solche Rolle).</translation>
    </message>
    <message>
        <source>The PostgreSQL server %1 asks for the password of %2: give it in the URL (postgresql://user:password@host/database), in PGPASSWORD or in ~/.pgpass.</source>
        <translation>Der PostgreSQL-Server %1 verlangt das Passwort von %2: Geben Sie es in der URL (postgresql://user:password@host/database), in PGPASSWORD oder in ~/.pgpass an.</translation>
    </message>
    <message>
        <source>There is no database %1 on %2.</source>
        <translation>Es gibt keine Datenbank %1 auf %2.</translation>
    </message>
    <message>
        <source>The PostgreSQL server %1 does not let %2 connect to the database %3: %4</source>
        <translation>Der PostgreSQL-Server %1 lässt %2 nicht mit der Datenbank %3 verbinden: %4</translation>
    </message>
    <message>
        <source>Cannot connect to the database %1 on %2: %3</source>
        <translation>Keine Verbindung zur Datenbank %1 auf %2: %3</translation>
    </message>
    <message>
        <source>Qt&apos;s PostgreSQL driver (QPSQL) is not installed: install the Debian package libqt6sql6-psql.</source>
        <translation>Der PostgreSQL-Treiber von Qt (QPSQL) ist nicht installiert: Installieren Sie das Debian-Paket libqt6sql6-psql.</translation>
    </message>
    <message>
        <source>The connection to the server was lost; the last change may not have been saved. DermLabel connects again for the next step: try again.</source>
        <translation>Die Verbindung zum Server ist abgebrochen; die letzte Änderung wurde vielleicht nicht gespeichert. DermLabel verbindet sich für den nächsten Schritt neu: Versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>Cannot create the database %1: %2</source>
        <translation>Die Datenbank %1 kann nicht angelegt werden: %2</translation>
    </message>
    <message>
        <source>There is no database %1 on %2, and the role %3 may not create one (it lacks the CREATEDB right). Ask the server&apos;s administrator to create the database with %3 as its owner, or to grant %3 CREATEDB.</source>
        <translation>Es gibt keine Datenbank %1 auf %2, und die Rolle %3 darf keine anlegen (ihr fehlt das Recht CREATEDB). Bitten Sie die Administration des Servers, die Datenbank mit %3 als Eigentümer anzulegen oder %3 CREATEDB zu gewähren.</translation>
    </message>
    <message>
        <source>Cannot create the database %1 on %2: %3</source>
        <translation>Die Datenbank %1 auf %2 kann nicht angelegt werden: %3</translation>
    </message>
</context>
<context>
    <name>dl::PreferencesDialog</name>
    <message>
        <source>Preferences</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>Fit the image to the window</source>
        <translation>Bild an das Fenster anpassen</translation>
    </message>
    <message>
        <source>Keep the zoom of the previous image</source>
        <translation>Zoom des vorigen Bildes beibehalten</translation>
    </message>
    <message>
        <source>Actual size (100%)</source>
        <translation>Originalgröße (100 %)</translation>
    </message>
    <message>
        <source>&amp;Zoom on the next image:</source>
        <translation>&amp;Zoom beim nächsten Bild:</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>&amp;Sprache:</translation>
    </message>
    <message>
        <source> images</source>
        <translation> Bilder</translation>
    </message>
    <message>
        <source>How many of the next images are decoded in the background while you label. Each 12-megapixel photo takes about 48 MB of memory.</source>
        <translation>Wie viele der nächsten Bilder im Hintergrund dekodiert werden, während Sie labeln. Jedes 12-Megapixel-Foto belegt etwa 48 MB Speicher.</translation>
    </message>
    <message>
        <source>&amp;Decode ahead:</source>
        <translation>&amp;Vorausdekodieren:</translation>
    </message>
    <message>
        <source>&lt;b&gt;The new language applies when DermLabel is restarted.&lt;/b&gt;</source>
        <translation>&lt;b&gt;Die neue Sprache gilt nach einem Neustart von DermLabel.&lt;/b&gt;</translation>
    </message>
    <message>
        <source>A new language applies when DermLabel is restarted.</source>
        <translation>Eine neue Sprache gilt nach einem Neustart von DermLabel.</translation>
    </message>
    <message>
        <source> MB</source>
        <translation> MB</translation>
    </message>
    <message>
        <source>How much disk the images of team stores may take on this computer. They are downloaded from the server when needed; beyond this size the least recently used are removed (a 12-megapixel photo takes about 5 MB).</source>
        <translation>Wie viel Plattenplatz die Bilder von Team-Ablagen auf diesem Computer belegen dürfen. Sie werden bei Bedarf vom Server geladen; über diese Größe hinaus werden die am längsten nicht benutzten entfernt (ein 12-Megapixel-Foto belegt etwa 5 MB).</translation>
    </message>
    <message>
        <source>Team store image &amp;cache:</source>
        <translation>&amp;Bildcache für Team-Ablagen:</translation>
    </message>
</context>
<context>
    <name>dl::PyLiteral</name>
    <message>
        <source>a string</source>
        <translation>eine Zeichenkette</translation>
    </message>
    <message>
        <source>an integer</source>
        <translation>eine ganze Zahl</translation>
    </message>
    <message>
        <source>a float</source>
        <translation>eine Gleitkommazahl</translation>
    </message>
    <message>
        <source>a boolean</source>
        <translation>ein Wahrheitswert</translation>
    </message>
    <message>
        <source>None</source>
        <translation>None</translation>
    </message>
    <message>
        <source>a list</source>
        <translation>eine Liste</translation>
    </message>
    <message>
        <source>a tuple</source>
        <translation>ein Tupel</translation>
    </message>
    <message>
        <source>a dict</source>
        <translation>ein Dict</translation>
    </message>
    <message>
        <source>character %1: %2</source>
        <translation>Zeichen %1: %2</translation>
    </message>
    <message>
        <source>expected %1, found %2</source>
        <translation>%1 erwartet, %2 gefunden</translation>
    </message>
    <message>
        <source>the end of the text</source>
        <translation>das Textende</translation>
    </message>
    <message>
        <source>a value</source>
        <translation>ein Wert</translation>
    </message>
    <message>
        <source>nested more than %1 levels deep</source>
        <translation>tiefer als %1 Ebenen verschachtelt</translation>
    </message>
    <message>
        <source>a line break</source>
        <translation>ein Zeilenumbruch</translation>
    </message>
    <message>
        <source>or</source>
        <translation>oder</translation>
    </message>
    <message>
        <source>a dict key cannot be %1</source>
        <translation>ein Dict-Schlüssel kann nicht %1 sein</translation>
    </message>
    <message>
        <source>string not closed (expected a closing %1)</source>
        <translation>Zeichenkette nicht geschlossen (schließendes %1 erwartet)</translation>
    </message>
    <message>
        <source>string not closed (it ends with a backslash)</source>
        <translation>Zeichenkette nicht geschlossen (sie endet mit einem Backslash)</translation>
    </message>
    <message>
        <source>\%1 must be followed by %2 hexadecimal digits</source>
        <translation>\%1 muss von %2 Hexadezimalziffern gefolgt sein</translation>
    </message>
    <message>
        <source>\U escape beyond U+10FFFF</source>
        <translation>\U-Escape jenseits von U+10FFFF</translation>
    </message>
    <message>
        <source>\N{...} escapes are not supported</source>
        <translation>\N{...}-Escapes werden nicht unterstützt</translation>
    </message>
    <message>
        <source>a number after &apos;%1&apos;</source>
        <translation>eine Zahl nach „%1“</translation>
    </message>
    <message>
        <source>malformed number</source>
        <translation>fehlerhafte Zahl</translation>
    </message>
    <message>
        <source>malformed number (exponent without digits)</source>
        <translation>fehlerhafte Zahl (Exponent ohne Ziffern)</translation>
    </message>
    <message>
        <source>number out of range</source>
        <translation>Zahl außerhalb des Bereichs</translation>
    </message>
    <message>
        <source>integer out of range</source>
        <translation>ganze Zahl außerhalb des Bereichs</translation>
    </message>
    <message>
        <source>unexpected word &apos;%1&apos; (expected a value; text must be quoted)</source>
        <translation>unerwartetes Wort „%1“ (ein Wert wurde erwartet; Text muss in Anführungszeichen stehen)</translation>
    </message>
    <message>
        <source>character %1: expected %2, found %3</source>
        <translation>Zeichen %1: %2 erwartet, %3 gefunden</translation>
    </message>
    <message>
        <source>character %1: element %2 is %3, expected %4</source>
        <translation>Zeichen %1: Element %2 ist %3, %4 erwartet</translation>
    </message>
    <message>
        <source>a list of strings</source>
        <translation>eine Liste von Zeichenketten</translation>
    </message>
    <message>
        <source>a list of numbers</source>
        <translation>eine Liste von Zahlen</translation>
    </message>
    <message>
        <source>a number</source>
        <translation>eine Zahl</translation>
    </message>
    <message>
        <source>a dict of numbers</source>
        <translation>ein Dict von Zahlen</translation>
    </message>
    <message>
        <source>character %1: key %2 is %3, expected a string</source>
        <translation>Zeichen %1: Schlüssel %2 ist %3, eine Zeichenkette erwartet</translation>
    </message>
    <message>
        <source>character %1: the value of key %2 is %3, expected a number</source>
        <translation>Zeichen %1: Der Wert von Schlüssel %2 ist %3, eine Zahl erwartet</translation>
    </message>
</context>
<context>
    <name>dl::QaDashboard</name>
    <message>
        <source>Quality assurance · %1</source>
        <translation>Qualitätssicherung · %1</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>&amp;Aktualisieren</translation>
    </message>
    <message>
        <source>Read the store again and recompute every statistic (F5)</source>
        <translation>Die Ablage neu lesen und alle Statistiken neu berechnen (F5)</translation>
    </message>
    <message>
        <source>Images rated</source>
        <translation>Bewertete Bilder</translation>
    </message>
    <message>
        <source>Fields agreed</source>
        <translation>Übereinstimmende Felder</translation>
    </message>
    <message>
        <source>Fields to adjudicate</source>
        <translation>Zu entscheidende Felder</translation>
    </message>
    <message>
        <source>Fields adjudicated</source>
        <translation>Entschiedene Felder</translation>
    </message>
    <message>
        <source>Diagnosis top-1 agreement</source>
        <translation>Top-1-Übereinstimmung der Diagnose</translation>
    </message>
    <message>
        <source>Diagnosis top-3 overlap</source>
        <translation>Top-3-Überlappung der Diagnose</translation>
    </message>
    <message>
        <source>Share of rater pairs naming the same first condition, mean over images</source>
        <translation>Anteil der Bewerterpaare, die dieselbe erste Erkrankung nennen, gemittelt über die Bilder</translation>
    </message>
    <message>
        <source>Overlap of the raters&apos; up-to-three conditions, mean over images</source>
        <translation>Überlappung der bis zu drei Erkrankungen der Bewerter, gemittelt über die Bilder</translation>
    </message>
    <message>
        <source>&amp;Overview</source>
        <translation>Ü&amp;bersicht</translation>
    </message>
    <message>
        <source>&amp;Plots</source>
        <translation>&amp;Diagramme</translation>
    </message>
    <message>
        <source>&amp;Disagreements</source>
        <translation>Ab&amp;weichungen</translation>
    </message>
    <message>
        <source>R&amp;aters</source>
        <translation>Bewe&amp;rter</translation>
    </message>
    <message>
        <source>None</source>
        <translation>Keine</translation>
    </message>
    <message>
        <source>Show alpha and the number of images per group next to the overall figures</source>
        <translation>Alpha und die Zahl der Bilder je Gruppe neben den Gesamtwerten zeigen</translation>
    </message>
    <message>
        <source>&amp;Stratify by:</source>
        <translation>&amp;Schichten nach:</translation>
    </message>
    <message>
        <source>&amp;Confidence intervals</source>
        <translation>Kon&amp;fidenzintervalle</translation>
    </message>
    <message>
        <source>Bootstrap 95% intervals of alpha and kappa (%1 replicates, seeded: the same store gives the same intervals)</source>
        <translation>Bootstrap-95-%-Intervalle von Alpha und Kappa (%1 Wiederholungen, mit Startwert: dieselbe Ablage ergibt dieselben Intervalle)</translation>
    </message>
    <message>
        <source>Krippendorff&apos;s α:</source>
        <translation>Krippendorffs α:</translation>
    </message>
    <message>
        <source>&lt;b&gt;Reference labels imported with datasets&lt;/b&gt; (items are cases; raters as given by the dataset)</source>
        <translation>&lt;b&gt;Mit Datensätzen importierte Referenzlabels&lt;/b&gt; (Elemente sind Fälle; Bewerter wie vom Datensatz angegeben)</translation>
    </message>
    <message>
        <source>Show pe&amp;nding (raters still labelling)</source>
        <translation>Ausstehende &amp;zeigen (Bewerter labeln noch)</translation>
    </message>
    <message>
        <source>Enter or double-click opens the side-by-side review.</source>
        <translation>Enter oder Doppelklick öffnet die Gegenüberstellung.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Labels per day&lt;/b&gt; (by the day of each label&apos;s last change, UTC)</source>
        <translation>&lt;b&gt;Labels pro Tag&lt;/b&gt; (nach dem Tag der letzten Änderung jedes Labels, UTC)</translation>
    </message>
    <message>
        <source>Reading ratings and bootstrapping…</source>
        <translation>Bewertungen lesen und Bootstrap…</translation>
    </message>
    <message>
        <source>Reading ratings…</source>
        <translation>Bewertungen lesen…</translation>
    </message>
    <message>
        <source>Bootstrapping %1 replicates…</source>
        <translation>Bootstrap mit %1 Wiederholungen…</translation>
    </message>
    <message>
        <source>The QA dashboard cannot be shown: %1</source>
        <translation>Das QS-Dashboard kann nicht angezeigt werden: %1</translation>
    </message>
    <message>
        <source>Computing agreement by %1…</source>
        <translation>Übereinstimmung nach %1 berechnen…</translation>
    </message>
    <message>
        <source>%1 on %2 images</source>
        <translation>%1 auf %2 Bildern</translation>
    </message>
    <message>
        <source>Over %1 images with at least two differentials</source>
        <translation>Über %1 Bilder mit mindestens zwei Differenzialdiagnosen</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; fields to adjudicate on &lt;b&gt;%2&lt;/b&gt; images · %3 pending</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; zu entscheidende Felder auf &lt;b&gt;%2&lt;/b&gt; Bildern · %3 ausstehend</translation>
    </message>
    <message>
        <source>&amp;Disagreements (%1)</source>
        <translation>Ab&amp;weichungen (%1)</translation>
    </message>
    <message>
        <source>No labels yet</source>
        <translation>Noch keine Labels</translation>
    </message>
    <message>
        <source>&amp;Faces</source>
        <translation>&amp;Gesichter</translation>
    </message>
    <message>
        <source>&lt;b&gt;Differential diagnoses and regions&lt;/b&gt; (what the raters name and where they draw it)</source>
        <translation>&lt;b&gt;Differenzialdiagnosen und Regionen&lt;/b&gt; (was die Bewerter nennen und wo sie es zeichnen)</translation>
    </message>
    <message>
        <source>&amp;Review Image</source>
        <translation>Bild &amp;prüfen</translation>
    </message>
    <message>
        <source>Confirm &amp;Face</source>
        <translation>Gesicht bestä&amp;tigen</translation>
    </message>
    <message>
        <source>A face shows: the image needs an identifying face region to be exported</source>
        <translation>Ein Gesicht ist zu sehen: Das Bild braucht eine identifizierende Gesichtsregion, um exportiert zu werden</translation>
    </message>
    <message>
        <source>&amp;Not a Face</source>
        <translation>&amp;Kein Gesicht</translation>
    </message>
    <message>
        <source>The check was wrong: the flag no longer holds the image back</source>
        <translation>Die Prüfung lag falsch: Die Markierung hält das Bild nicht mehr zurück</translation>
    </message>
    <message>
        <source>Run Face &amp;Check</source>
        <translation>Gesichtsprüf&amp;ung starten</translation>
    </message>
    <message>
        <source>Look for frontal faces on every image (new images are checked on import)</source>
        <translation>Auf jedem Bild nach frontalen Gesichtern suchen (neue Bilder werden beim Import geprüft)</translation>
    </message>
    <message>
        <source>The face check has flagged no image.</source>
        <translation>Die Gesichtsprüfung hat kein Bild markiert.</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; of %2 flagged images still to review. An open flag holds the image back from export; a confirmed face needs an identifying face region, which the export covers.</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; von %2 markierten Bildern sind noch zu prüfen. Eine offene Markierung hält das Bild vom Export zurück; ein bestätigtes Gesicht braucht eine identifizierende Gesichtsregion, die der Export abdeckt.</translation>
    </message>
    <message>
        <source>&amp;Faces (%1)</source>
        <translation>&amp;Gesichter (%1)</translation>
    </message>
    <message>
        <source>The face flag was not changed: %1</source>
        <translation>Die Gesichtsmarkierung wurde nicht geändert: %1</translation>
    </message>
    <message>
        <source>Stop Face &amp;Check</source>
        <translation>Gesichtsprüfung an&amp;halten</translation>
    </message>
    <message>
        <source>Checking images for faces…</source>
        <translation>Bilder werden auf Gesichter geprüft…</translation>
    </message>
    <message>
        <source>Checking images for faces: %1 of %2</source>
        <translation>Bilder werden auf Gesichter geprüft: %1 von %2</translation>
    </message>
    <message>
        <source>The face check failed: %1</source>
        <translation>Die Gesichtsprüfung ist fehlgeschlagen: %1</translation>
    </message>
</context>
<context>
    <name>dl::QaDataSet</name>
    <message>
        <source>Fitzpatrick type</source>
        <translation>Fitzpatrick-Hauttyp</translation>
    </message>
    <message>
        <source>Monk skin tone</source>
        <translation>Monk-Hautton</translation>
    </message>
    <message>
        <source>Age group</source>
        <translation>Altersgruppe</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>Geschlecht</translation>
    </message>
    <message>
        <source>Country</source>
        <translation>Land</translation>
    </message>
    <message>
        <source>Body site</source>
        <translation>Körperstelle</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Quelle</translation>
    </message>
    <message>
        <source>Week</source>
        <translation>Woche</translation>
    </message>
    <message>
        <source>The store could not be read.</source>
        <translation>Die Ablage konnte nicht gelesen werden.</translation>
    </message>
</context>
<context>
    <name>dl::QaPlots</name>
    <message>
        <source>&amp;Field:</source>
        <translation>&amp;Feld:</translation>
    </message>
    <message>
        <source>Rater &amp;A:</source>
        <translation>Bewerter &amp;A:</translation>
    </message>
    <message>
        <source>Rater &amp;B:</source>
        <translation>Bewerter &amp;B:</translation>
    </message>
    <message>
        <source>Confusion of rater A and rater B</source>
        <translation>Konfusion von Bewerter A und Bewerter B</translation>
    </message>
    <message>
        <source>Labels given by each rater</source>
        <translation>Von jedem Bewerter vergebene Labels</translation>
    </message>
    <message>
        <source>Agreement over time (week of the last label change)</source>
        <translation>Übereinstimmung im Zeitverlauf (Woche der letzten Labeländerung)</translation>
    </message>
    <message>
        <source>%1 (dataset)</source>
        <translation>%1 (Datensatz)</translation>
    </message>
    <message>
        <source>Choose two different raters.</source>
        <translation>Wählen Sie zwei verschiedene Bewerter.</translation>
    </message>
    <message>
        <source>No images in common.</source>
        <translation>Keine gemeinsamen Bilder.</translation>
    </message>
    <message>
        <source>%1 images in common, %2 identical (%3%)</source>
        <translation>%1 gemeinsame Bilder, %2 identisch (%3 %)</translation>
    </message>
    <message>
        <source>Cohen&apos;s κ %1</source>
        <translation>Cohens κ %1</translation>
    </message>
    <message>
        <source>quadratic κ %1</source>
        <translation>quadratisches κ %1</translation>
    </message>
    <message>
        <source>No ratings</source>
        <translation>Keine Bewertungen</translation>
    </message>
    <message>
        <source>Other (%1 labels)</source>
        <translation>Sonstige (%1 Labels)</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>mean %1</source>
        <translation>Mittel %1</translation>
    </message>
    <message>
        <source>Dataset labels have no time</source>
        <translation>Datensatzlabels haben keine Zeit</translation>
    </message>
    <message>
        <source>No weeks with ratings</source>
        <translation>Keine Wochen mit Bewertungen</translation>
    </message>
    <message>
        <source>Percent agreement</source>
        <translation>Prozentuale Übereinstimmung</translation>
    </message>
    <message>
        <source>Krippendorff&apos;s α</source>
        <translation>Krippendorffs α</translation>
    </message>
    <message>
        <source>%1 (n %2)</source>
        <translation>%1 (n %2)</translation>
    </message>
</context>
<context>
    <name>dl::RaterReportModel</name>
    <message>
        <source>%1 (disabled)</source>
        <translation>%1 (deaktiviert)</translation>
    </message>
    <message>
        <source>%1 of %2 answered fields equal the agreed or adjudicated consensus</source>
        <translation>%1 von %2 beantworteten Feldern entsprechen dem übereinstimmenden oder entschiedenen Konsens</translation>
    </message>
    <message>
        <source>Rank-1 diagnosis equal to the consensus diagnosis on %1 of %2 images</source>
        <translation>Rang-1-Diagnose gleich der Konsensdiagnose bei %1 von %2 Bildern</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>Rater</source>
        <translation>Bewerter</translation>
    </message>
    <message>
        <source>Assigned</source>
        <translation>Zugewiesen</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Fertig</translation>
    </message>
    <message>
        <source>Skipped</source>
        <translation>Übersprungen</translation>
    </message>
    <message>
        <source>Flagged</source>
        <translation>Markiert</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Offen</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>Fortschritt</translation>
    </message>
    <message>
        <source>Labels / day</source>
        <translation>Labels / Tag</translation>
    </message>
    <message>
        <source>Active days</source>
        <translation>Aktive Tage</translation>
    </message>
    <message>
        <source>= consensus</source>
        <translation>= Konsens</translation>
    </message>
    <message>
        <source>Top-1 = consensus</source>
        <translation>Top-1 = Konsens</translation>
    </message>
    <message>
        <source>Assigned images not started or in progress</source>
        <translation>Zugewiesene Bilder, nicht begonnen oder in Arbeit</translation>
    </message>
    <message>
        <source>Done of assigned</source>
        <translation>Fertig von zugewiesen</translation>
    </message>
    <message>
        <source>Labels per day on the days the rater labelled (by last change, UTC)</source>
        <translation>Labels pro Tag an den Tagen, an denen der Bewerter gelabelt hat (nach letzter Änderung, UTC)</translation>
    </message>
    <message>
        <source>Share of the rater&apos;s answers that equal the agreed or adjudicated consensus</source>
        <translation>Anteil der Antworten des Bewerters, die dem übereinstimmenden oder entschiedenen Konsens entsprechen</translation>
    </message>
    <message>
        <source>Share of images where the rater&apos;s rank-1 diagnosis is the consensus diagnosis</source>
        <translation>Anteil der Bilder, bei denen die Rang-1-Diagnose des Bewerters die Konsensdiagnose ist</translation>
    </message>
</context>
<context>
    <name>dl::RatingsFile</name>
    <message>
        <source>%1: the header must be exactly &quot;item,rater,field,value&quot;, not &quot;%2&quot;.</source>
        <translation>%1: Die Kopfzeile muss genau „item,rater,field,value“ lauten, nicht „%2“.</translation>
    </message>
    <message>
        <source>%1, line %2: the item, rater and field must not be empty.</source>
        <translation>%1, Zeile %2: Element, Bewerter und Feld dürfen nicht leer sein.</translation>
    </message>
    <message>
        <source>%1, line %2: rater &quot;%3&quot; already rated item &quot;%4&quot; for field &quot;%5&quot;.</source>
        <translation>%1, Zeile %2: Bewerter „%3“ hat Element „%4“ für Feld „%5“ bereits bewertet.</translation>
    </message>
</context>
<context>
    <name>dl::Redactor</name>
    <message>
        <source>Redaction needs an 8-bit image with 1, 3 or 4 channels.</source>
        <translation>Das Schwärzen braucht ein 8-Bit-Bild mit 1, 3 oder 4 Kanälen.</translation>
    </message>
    <message>
        <source>The redaction region is %1 x %2 (type %3) but the image is %4 x %5.</source>
        <translation>Die Schwärzungsregion ist %1 x %2 (Typ %3), das Bild aber %4 x %5.</translation>
    </message>
    <message>
        <source>Cannot redact a null image.</source>
        <translation>Ein Nullbild kann nicht geschwärzt werden.</translation>
    </message>
</context>
<context>
    <name>dl::ReferenceLabelAccess</name>
    <message>
        <source>Reference labels are hidden from raters (blinded).</source>
        <translation>Referenzlabels sind vor den Bewertern verborgen (verblindet).</translation>
    </message>
    <message>
        <source>This image is not assigned to %1.</source>
        <translation>Dieses Bild ist %1 nicht zugewiesen.</translation>
    </message>
</context>
<context>
    <name>dl::ReleaseGate</name>
    <message>
        <source>Sensitive content</source>
        <translation>Sensibler Inhalt</translation>
    </message>
    <message>
        <source>Identifying content without a region to redact</source>
        <translation>Identifizierender Inhalt ohne zu schwärzende Region</translation>
    </message>
    <message>
        <source>Possible face not yet reviewed</source>
        <translation>Mögliches Gesicht noch nicht geprüft</translation>
    </message>
    <message>
        <source>Too few raters</source>
        <translation>Zu wenige Bewerter</translation>
    </message>
    <message>
        <source>Quasi-identifiers shared by fewer than k records</source>
        <translation>Quasi-Identifikatoren, die weniger als k Datensätze teilen</translation>
    </message>
</context>
<context>
    <name>dl::ReviewDialog</name>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>%1 — %2 / %3: Dice %4, IoU %5</source>
        <translation>%1 — %2 / %3: Dice %4, IoU %5</translation>
    </message>
    <message>
        <source>Majority of %1: %2</source>
        <translation>Mehrheit von %1: %2</translation>
    </message>
    <message>
        <source>STAPLE: %1</source>
        <translation>STAPLE: %1</translation>
    </message>
    <message>
        <source>%1 sensitivity %2, specificity %3</source>
        <translation>%1 Sensitivität %2, Spezifität %3</translation>
    </message>
    <message>
        <source>%1 — STAPLE: %2</source>
        <translation>%1 — STAPLE: %2</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>Prüfung</translation>
    </message>
    <message>
        <source>&lt;b&gt;Masks&lt;/b&gt; (tick to show)</source>
        <translation>&lt;b&gt;Masken&lt;/b&gt; (zum Zeigen ankreuzen)</translation>
    </message>
    <message>
        <source>Choose the value…</source>
        <translation>Den Wert wählen…</translation>
    </message>
    <message>
        <source>Required: why this value (recorded in the audit log)</source>
        <translation>Pflicht: warum dieser Wert (wird im Prüfprotokoll vermerkt)</translation>
    </message>
    <message>
        <source>&amp;Apply</source>
        <translation>&amp;Übernehmen</translation>
    </message>
    <message>
        <source>Adjudicate</source>
        <translation>Entscheiden</translation>
    </message>
    <message>
        <source>&amp;Field:</source>
        <translation>&amp;Feld:</translation>
    </message>
    <message>
        <source>&amp;Value:</source>
        <translation>&amp;Wert:</translation>
    </message>
    <message>
        <source>&amp;Reason:</source>
        <translation>&amp;Grund:</translation>
    </message>
    <message>
        <source>Only QA leads and admins settle disagreements.</source>
        <translation>Nur QS-Leitungen und Administratoren entscheiden Abweichungen.</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>← Previous (PgUp)</source>
        <translation>← Zurück (PgUp)</translation>
    </message>
    <message>
        <source>Next (PgDown) →</source>
        <translation>Weiter (PgDown) →</translation>
    </message>
    <message>
        <source>No such image.</source>
        <translation>Kein solches Bild.</translation>
    </message>
    <message>
        <source>Loading the image…</source>
        <translation>Bild wird geladen…</translation>
    </message>
    <message>
        <source>The image cannot be shown: %1</source>
        <translation>Das Bild kann nicht angezeigt werden: %1</translation>
    </message>
    <message>
        <source>%1 × %2 pixels; wheel zooms, drag pans, F fits</source>
        <translation>%1 × %2 Pixel; Mausrad zoomt, Ziehen verschiebt, F passt an</translation>
    </message>
    <message>
        <source>No rater drew a mask on this image.</source>
        <translation>Kein Bewerter hat auf diesem Bild eine Maske gezeichnet.</translation>
    </message>
    <message>
        <source>%1 settled as %2.</source>
        <translation>%1 entschieden als %2.</translation>
    </message>
    <message>
        <source>1 rater</source>
        <translation>1 Bewerter</translation>
    </message>
    <message>
        <source>%1 raters</source>
        <translation>%1 Bewerter</translation>
    </message>
    <message>
        <source>nothing open</source>
        <translation>nichts offen</translation>
    </message>
    <message>
        <source>1 field open</source>
        <translation>1 Feld offen</translation>
    </message>
    <message>
        <source>%1 fields open</source>
        <translation>%1 Felder offen</translation>
    </message>
    <message>
        <source>disagreement %1 of %2 (Page Down: next, Page Up: previous)</source>
        <translation>Abweichung %1 von %2 (Page Down: nächste, Page Up: vorige)</translation>
    </message>
    <message>
        <source>not in the disagreement list</source>
        <translation>nicht in der Liste der Abweichungen</translation>
    </message>
    <message>
        <source>Review %1</source>
        <translation>Prüfung von %1</translation>
    </message>
    <message>
        <source>Confirm &amp;Face</source>
        <translation>Gesicht bestä&amp;tigen</translation>
    </message>
    <message>
        <source>A face shows: the image needs an identifying face region to be exported</source>
        <translation>Ein Gesicht ist zu sehen: Das Bild braucht eine identifizierende Gesichtsregion, um exportiert zu werden</translation>
    </message>
    <message>
        <source>&amp;Not a Face</source>
        <translation>&amp;Kein Gesicht</translation>
    </message>
    <message>
        <source>The check was wrong: the flag no longer holds the image back</source>
        <translation>Die Prüfung lag falsch: Die Markierung hält das Bild nicht mehr zurück</translation>
    </message>
    <message>
        <source>1 region</source>
        <translation>1 Region</translation>
    </message>
    <message>
        <source>%1 regions</source>
        <translation>%1 Regionen</translation>
    </message>
    <message>
        <source>&lt;b&gt;Possible face&lt;/b&gt; found by the face check (%1, dashed on the image). Held back from export until confirmed or dismissed.</source>
        <translation>&lt;b&gt;Mögliches Gesicht&lt;/b&gt; von der Gesichtsprüfung gefunden (%1, gestrichelt im Bild). Vom Export zurückgehalten, bis es bestätigt oder verworfen ist.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Face confirmed.&lt;/b&gt; The image is exported only with a face region marked as identifying (redacted).</source>
        <translation>&lt;b&gt;Gesicht bestätigt.&lt;/b&gt; Das Bild wird nur mit einer als identifizierend markierten (geschwärzten) Gesichtsregion exportiert.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Face flag dismissed:&lt;/b&gt; no face on this image.</source>
        <translation>&lt;b&gt;Gesichtsmarkierung verworfen:&lt;/b&gt; kein Gesicht auf diesem Bild.</translation>
    </message>
</context>
<context>
    <name>dl::ReviewTableModel</name>
    <message>
        <source>Cannot determine</source>
        <translation>Nicht bestimmbar</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>agreed</source>
        <translation>übereinstimmend</translation>
    </message>
    <message>
        <source>pending</source>
        <translation>ausstehend</translation>
    </message>
    <message>
        <source>to adjudicate</source>
        <translation>zu entscheiden</translation>
    </message>
    <message>
        <source>adjudicated</source>
        <translation>entschieden</translation>
    </message>
    <message>
        <source>%1 %2%</source>
        <translation>%1 %2 %</translation>
    </message>
    <message>
        <source>— (not asked)</source>
        <translation>— (nicht gefragt)</translation>
    </message>
    <message>
        <source>%1 · agreed %2/%3</source>
        <translation>%1 · übereinstimmend %2/%3</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <source>Differential (confidence)</source>
        <translation>Differenzialdiagnose (Sicherheit)</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Notiz</translation>
    </message>
    <message>
        <source>Diagnosis, rank 1</source>
        <translation>Diagnose, Rang 1</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>Feld</translation>
    </message>
    <message>
        <source>Consensus</source>
        <translation>Konsens</translation>
    </message>
</context>
<context>
    <name>dl::Role</name>
    <message>
        <source>Dermatologist</source>
        <translation>Dermatologe</translation>
    </message>
    <message>
        <source>QA lead</source>
        <translation>QS-Leitung</translation>
    </message>
    <message>
        <source>Administrator</source>
        <translation>Administrator</translation>
    </message>
</context>
<context>
    <name>dl::RowWriter</name>
    <message>
        <source>Cannot copy rows of %1: %2</source>
        <translation>Zeilen von %1 können nicht kopiert werden: %2</translation>
    </message>
</context>
<context>
    <name>dl::SchemaMigrator</name>
    <message>
        <source>This file is not a DermLabel store (it holds other tables).</source>
        <translation>Diese Datei ist keine DermLabel-Ablage (sie enthält andere Tabellen).</translation>
    </message>
    <message>
        <source>This store was written by a newer version of DermLabel (schema %1); this program understands schema %2 at most. Install the newer DermLabel to open it.</source>
        <translation>Diese Ablage wurde von einer neueren DermLabel-Version geschrieben (Schema %1); dieses Programm versteht höchstens Schema %2. Installieren Sie das neuere DermLabel, um sie zu öffnen.</translation>
    </message>
    <message>
        <source>Could not start the schema update: %1</source>
        <translation>Die Schemaaktualisierung konnte nicht gestartet werden: %1</translation>
    </message>
    <message>
        <source>Schema update %1 failed: %2</source>
        <translation>Schemaaktualisierung %1 ist fehlgeschlagen: %2</translation>
    </message>
    <message>
        <source>Schema update %1 (%2) failed: %3</source>
        <translation>Schemaaktualisierung %1 (%2) ist fehlgeschlagen: %3</translation>
    </message>
    <message>
        <source>Schema update %1 could not be saved: %2</source>
        <translation>Schemaaktualisierung %1 konnte nicht gespeichert werden: %2</translation>
    </message>
    <message>
        <source>This database is not a DermLabel store (it holds other tables).</source>
        <translation>Diese Datenbank ist keine DermLabel-Ablage (sie enthält andere Tabellen).</translation>
    </message>
</context>
<context>
    <name>dl::ScinReader</name>
    <message>
        <source>%1 is not a folder.</source>
        <translation>%1 ist kein Ordner.</translation>
    </message>
    <message>
        <source>%1 has no scin_cases.csv: is it a SCIN dataset folder?</source>
        <translation>%1 hat keine scin_cases.csv: Ist es ein SCIN-Datensatzordner?</translation>
    </message>
    <message>
        <source>scin_cases.csv line %1: empty case_id; row skipped.</source>
        <translation>scin_cases.csv Zeile %1: leere case_id; Zeile übersprungen.</translation>
    </message>
    <message>
        <source>scin_cases.csv line %1: case %2 appears again; only the first row is used.</source>
        <translation>scin_cases.csv Zeile %1: Fall %2 kommt erneut vor; nur die erste Zeile wird verwendet.</translation>
    </message>
    <message>
        <source>scin_labels.csv has labels for %1 cases that scin_cases.csv does not list.</source>
        <translation>scin_labels.csv hat Labels für %1 Fälle, die scin_cases.csv nicht aufführt.</translation>
    </message>
</context>
<context>
    <name>dl::SessionService</name>
    <message>
        <source>A team store is named by a URL such as postgresql://server.example.org/dermlabel.</source>
        <translation>Eine Team-Ablage wird mit einer URL wie postgresql://server.example.org/dermlabel benannt.</translation>
    </message>
    <message>
        <source>Enter your user name and password.</source>
        <translation>Geben Sie Benutzername und Passwort ein.</translation>
    </message>
    <message>
        <source>The user name or password is wrong, or the account is disabled.</source>
        <translation>Benutzername oder Passwort ist falsch, oder das Konto ist deaktiviert.</translation>
    </message>
    <message>
        <source>This store has its administrator already: sign in instead.</source>
        <translation>Diese Ablage hat bereits ihren Administrator: Melden Sie sich stattdessen an.</translation>
    </message>
    <message numerus="yes">
        <source>Too many failed sign-ins with this name. Try again in %n second(s).</source>
        <translation>
            <numerusform>Zu viele fehlgeschlagene Anmeldungen mit diesem Namen. Versuchen Sie es in %n Sekunde erneut.</numerusform>
            <numerusform>Zu viele fehlgeschlagene Anmeldungen mit diesem Namen. Versuchen Sie es in %n Sekunden erneut.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>dl::ShortcutSheet</name>
    <message>
        <source>Keyboard Shortcuts</source>
        <translation>Tastenkürzel</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>Tasten</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Aktion</translation>
    </message>
    <message>
        <source> or </source>
        <translation> oder </translation>
    </message>
    <message>
        <source>Commands</source>
        <translation>Befehle</translation>
    </message>
    <message>
        <source>Label form (when it has the focus)</source>
        <translation>Labelformular (wenn es den Fokus hat)</translation>
    </message>
    <message>
        <source>Image (when it has the focus)</source>
        <translation>Bild (wenn es den Fokus hat)</translation>
    </message>
    <message>
        <source>+ / −, mouse wheel</source>
        <translation>+ / −, Mausrad</translation>
    </message>
    <message>
        <source>Zoom in / out around the cursor</source>
        <translation>Um den Mauszeiger vergrößern / verkleinern</translation>
    </message>
    <message>
        <source>0 or F</source>
        <translation>0 oder F</translation>
    </message>
    <message>
        <source>Fit the image to the window</source>
        <translation>Bild an das Fenster anpassen</translation>
    </message>
    <message>
        <source>1</source>
        <translation>1</translation>
    </message>
    <message>
        <source>Actual size (100%)</source>
        <translation>Originalgröße (100 %)</translation>
    </message>
    <message>
        <source>Arrow keys, middle drag, Space+drag</source>
        <translation>Pfeiltasten, Ziehen mit mittlerer Maustaste, Space+Ziehen</translation>
    </message>
    <message>
        <source>Pan (and left drag with the Pan tool, H)</source>
        <translation>Verschieben (und Ziehen mit linker Maustaste beim Werkzeug Verschieben, H)</translation>
    </message>
    <message>
        <source>Mask tools (when the image has the focus)</source>
        <translation>Maskenwerkzeuge (wenn das Bild den Fokus hat)</translation>
    </message>
</context>
<context>
    <name>dl::SignInDialog</name>
    <message>
        <source>Create the administrator account</source>
        <translation>Das Administratorkonto anlegen</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Anmelden</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; has no users yet. Create the administrator account: it imports images, adds raters and assigns work.</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; hat noch keine Benutzer. Legen Sie das Administratorkonto an: Es importiert Bilder, fügt Bewerter hinzu und weist Arbeit zu.</translation>
    </message>
    <message>
        <source>Sign in to &lt;b&gt;%1&lt;/b&gt;.</source>
        <translation>Bei &lt;b&gt;%1&lt;/b&gt; anmelden.</translation>
    </message>
    <message>
        <source>&amp;User name:</source>
        <translation>&amp;Benutzername:</translation>
    </message>
    <message>
        <source>e.g. Dr. Ana Silva</source>
        <translation>z. B. Dr. Ana Silva</translation>
    </message>
    <message>
        <source>&amp;Full name:</source>
        <translation>&amp;Vollständiger Name:</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>&amp;Passwort:</translation>
    </message>
    <message>
        <source>&amp;Repeat password:</source>
        <translation>Passwort &amp;wiederholen:</translation>
    </message>
    <message>
        <source>Create and Sign In</source>
        <translation>Anlegen und anmelden</translation>
    </message>
    <message>
        <source>Sign In</source>
        <translation>Anmelden</translation>
    </message>
    <message>
        <source>The passwords do not match.</source>
        <translation>Die Passwörter stimmen nicht überein.</translation>
    </message>
    <message>
        <source>Sign in to the team store &lt;b&gt;%1&lt;/b&gt;. Your user name and password are checked by the server.</source>
        <translation>Bei der Team-Ablage &lt;b&gt;%1&lt;/b&gt; anmelden. Benutzername und Passwort prüft der Server.</translation>
    </message>
</context>
<context>
    <name>dl::Sql</name>
    <message>
        <source>Database error: %1</source>
        <translation>Datenbankfehler: %1</translation>
    </message>
    <message>
        <source>Database error: no id returned</source>
        <translation>Datenbankfehler: keine ID zurückgegeben</translation>
    </message>
</context>
<context>
    <name>dl::SqlDialect</name>
    <message>
        <source>Could not configure the store (%1): %2</source>
        <translation>Die Ablage konnte nicht eingerichtet werden (%1): %2</translation>
    </message>
    <message>
        <source>The store could not switch to write-ahead logging (journal mode is &apos;%1&apos;). Is it on a read-only or network drive?</source>
        <translation>Die Ablage konnte nicht auf Write-Ahead-Logging umstellen (Journalmodus ist „%1“). Liegt sie auf einem schreibgeschützten oder Netzlaufwerk?</translation>
    </message>
    <message>
        <source>Foreign key enforcement is not available.</source>
        <translation>Fremdschlüsselprüfung ist nicht verfügbar.</translation>
    </message>
    <message>
        <source>The PostgreSQL server is too old (version number %1); a team store needs PostgreSQL 10 or later.</source>
        <translation>Der PostgreSQL-Server ist zu alt (Versionsnummer %1); eine Team-Ablage braucht PostgreSQL 10 oder neuer.</translation>
    </message>
    <message>
        <source>The PostgreSQL server has standard_conforming_strings off; a team store needs it on (the default).</source>
        <translation>Beim PostgreSQL-Server ist standard_conforming_strings aus; eine Team-Ablage braucht es an (die Voreinstellung).</translation>
    </message>
    <message>
        <source>index %1 is not valid (rebuild it with REINDEX)</source>
        <translation>Index %1 ist nicht gültig (mit REINDEX neu aufbauen)</translation>
    </message>
    <message>
        <source>constraint %1 of %2 was never validated</source>
        <translation>Constraint %1 von %2 wurde nie validiert</translation>
    </message>
</context>
<context>
    <name>dl::Store</name>
    <message>
        <source>No store path given.</source>
        <translation>Kein Ablagepfad angegeben.</translation>
    </message>
    <message>
        <source>%1 is a folder, not a store file.</source>
        <translation>%1 ist ein Ordner, keine Ablagedatei.</translation>
    </message>
    <message>
        <source>There is no store at %1.</source>
        <translation>Unter %1 gibt es keine Ablage.</translation>
    </message>
    <message>
        <source>%1 already exists.</source>
        <translation>%1 existiert bereits.</translation>
    </message>
    <message>
        <source>Cannot create the folder %1.</source>
        <translation>Der Ordner %1 kann nicht angelegt werden.</translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>%1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>%1 is not a DermLabel store.</source>
        <translation>%1 ist keine DermLabel-Ablage.</translation>
    </message>
    <message>
        <source>Cannot open the store %1: %2</source>
        <translation>Die Ablage %1 kann nicht geöffnet werden: %2</translation>
    </message>
    <message>
        <source>The store %1 is in use by another program (%2, process %3 on %4). Close it there first, then try again.</source>
        <translation>Die Ablage %1 wird von einem anderen Programm benutzt (%2, Prozess %3 auf %4). Schließen Sie sie dort zuerst und versuchen Sie es dann erneut.</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>unbekannt</translation>
    </message>
    <message>
        <source>this computer</source>
        <translation>dieser Computer</translation>
    </message>
    <message>
        <source>Cannot create the lock file beside %1 (is the folder writable?).</source>
        <translation>Die Sperrdatei neben %1 kann nicht angelegt werden (ist der Ordner beschreibbar?).</translation>
    </message>
    <message>
        <source>Only a team store signs in to a server.</source>
        <translation>Nur eine Team-Ablage meldet sich bei einem Server an.</translation>
    </message>
    <message>
        <source>%1 Create the store first (dermlabel-cli init --store URL).</source>
        <translation>%1 Legen Sie zuerst die Ablage an (dermlabel-cli init --store URL).</translation>
    </message>
    <message>
        <source>Cannot create the image folder %1.</source>
        <translation>Der Bildordner %1 kann nicht angelegt werden.</translation>
    </message>
    <message>
        <source>The database %1 already exists and is not empty.</source>
        <translation>Die Datenbank %1 existiert bereits und ist nicht leer.</translation>
    </message>
</context>
<context>
    <name>dl::StoreBackup</name>
    <message>
        <source>A team store is backed up with &apos;dermlabel-cli migrate --from URL --to copy.dermlabel&apos;.</source>
        <translation>Eine Team-Ablage wird mit „dermlabel-cli migrate --from URL --to copy.dermlabel“ gesichert.</translation>
    </message>
    <message>
        <source>%1 exists already: a backup never overwrites anything.</source>
        <translation>%1 existiert bereits: Eine Sicherung überschreibt nie etwas.</translation>
    </message>
    <message>
        <source>The backup cannot be the store itself.</source>
        <translation>Die Sicherung kann nicht die Ablage selbst sein.</translation>
    </message>
    <message>
        <source>Cannot create the folder %1.</source>
        <translation>Der Ordner %1 kann nicht angelegt werden.</translation>
    </message>
    <message>
        <source>Cannot read the backup %1: %2</source>
        <translation>Die Sicherung %1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>The backup was cancelled; nothing was kept.</source>
        <translation>Die Sicherung wurde abgebrochen; nichts wurde behalten.</translation>
    </message>
    <message>
        <source>Cannot copy the image file %1 to the backup.</source>
        <translation>Die Bilddatei %1 kann nicht in die Sicherung kopiert werden.</translation>
    </message>
    <message>
        <source>The backup does not pass its check; nothing was kept.</source>
        <translation>Die Sicherung besteht ihre Prüfung nicht; nichts wurde behalten.</translation>
    </message>
</context>
<context>
    <name>dl::StoreChangeListener</name>
    <message>
        <source>Cannot listen to the store&apos;s changes.</source>
        <translation>Die Änderungen der Ablage können nicht verfolgt werden.</translation>
    </message>
    <message>
        <source>The server does not deliver change notifications: %1</source>
        <translation>Der Server liefert keine Änderungsbenachrichtigungen: %1</translation>
    </message>
</context>
<context>
    <name>dl::StoreCopier</name>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>%1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>%1 is not a DermLabel store (it holds other tables).</source>
        <translation>%1 ist keine DermLabel-Ablage (sie enthält andere Tabellen).</translation>
    </message>
    <message>
        <source>The target %1 holds a store with schema version %2, the source has schema version %3. A copy needs both at the same version: bring the older one up to date with this program first (dermlabel-cli init --store ... for a team store, any command for a store file), or choose another target.</source>
        <translation>Das Ziel %1 enthält eine Ablage mit Schemaversion %2, die Quelle hat Schemaversion %3. Eine Kopie braucht beide in derselben Version: Bringen Sie zuerst die ältere mit diesem Programm auf den neuesten Stand (dermlabel-cli init --store ... für eine Team-Ablage, ein beliebiger Befehl für eine Ablagedatei) oder wählen Sie ein anderes Ziel.</translation>
    </message>
    <message>
        <source>The target %1 must be opened as the store&apos;s owner: a superuser, or a role with CREATEROLE that owns the database (the role that runs &apos;dermlabel-cli init&apos;), because the copy creates the users&apos; login roles.</source>
        <translation>Das Ziel %1 muss als Eigentümer der Ablage geöffnet werden: als Superuser oder als Rolle mit CREATEROLE, der die Datenbank gehört (die Rolle, die „dermlabel-cli init“ ausführt), weil die Kopie die Anmelderollen der Benutzer anlegt.</translation>
    </message>
    <message>
        <source>The target %1 has schema version %2, the source %3.</source>
        <translation>Das Ziel %1 hat Schemaversion %2, die Quelle %3.</translation>
    </message>
    <message>
        <source>The source has schema version %1, the target %2: a copy needs the same version.</source>
        <translation>Die Quelle hat Schemaversion %1, das Ziel %2: Eine Kopie braucht dieselbe Version.</translation>
    </message>
    <message>
        <source>Cannot read the source store&apos;s secret, which keeps its pseudonyms: open it as the store&apos;s owner or an administrator.</source>
        <translation>Das Geheimnis der Quellablage, das ihre Pseudonyme schützt, kann nicht gelesen werden: Öffnen Sie sie als Eigentümer der Ablage oder als Administrator.</translation>
    </message>
    <message>
        <source>The target %1 holds another store (%2). A migration copies a store into a new or empty one, or completes an earlier copy of the same store; it never merges two stores. Choose another target, or remove that store first.</source>
        <translation>Das Ziel %1 enthält eine andere Ablage (%2). Eine Migration kopiert eine Ablage in eine neue oder leere oder vervollständigt eine frühere Kopie derselben Ablage; sie führt nie zwei Ablagen zusammen. Wählen Sie ein anderes Ziel oder entfernen Sie zuerst diese Ablage.</translation>
    </message>
    <message>
        <source>These user names cannot become server login roles (a team store needs lower-case letters, digits, &apos;.&apos;, &apos;_&apos; or &apos;-&apos;, starting with a letter): %1. Rename or remove them in the source first.</source>
        <translation>Diese Benutzernamen können keine Anmelderollen auf dem Server werden (eine Team-Ablage braucht Kleinbuchstaben, Ziffern, „.“, „_“ oder „-“, beginnend mit einem Buchstaben): %1. Benennen Sie sie zuerst in der Quelle um oder entfernen Sie sie.</translation>
    </message>
    <message>
        <source>Cannot read the source store: %1</source>
        <translation>Die Quellablage kann nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>Cannot write to the target store: %1</source>
        <translation>In die Zielablage kann nicht geschrieben werden: %1</translation>
    </message>
    <message>
        <source>Cannot prepare the target: %1</source>
        <translation>Das Ziel kann nicht vorbereitet werden: %1</translation>
    </message>
    <message>
        <source>The table %1 has other columns in the target than in the source.</source>
        <translation>Die Tabelle %1 hat im Ziel andere Spalten als in der Quelle.</translation>
    </message>
    <message>
        <source>Cannot give the user %1 a login role: %2</source>
        <translation>Dem Benutzer %1 kann keine Anmelderolle gegeben werden: %2</translation>
    </message>
    <message>
        <source>Cannot advance the ids of %1: %2</source>
        <translation>Die IDs von %1 können nicht weitergezählt werden: %2</translation>
    </message>
    <message>
        <source>The copy does not match the source in %1; nothing was written.</source>
        <translation>Die Kopie stimmt in %1 nicht mit der Quelle überein; nichts wurde geschrieben.</translation>
    </message>
    <message>
        <source>The target is an earlier copy of this store, and rows of %1 have changed since: they differ from the source, and a migration never overwrites rows. Nothing was written; remove the target and migrate again for a fresh copy.</source>
        <translation>Das Ziel ist eine frühere Kopie dieser Ablage, und Zeilen von %1 haben sich seitdem geändert: Sie weichen von der Quelle ab, und eine Migration überschreibt nie Zeilen. Nichts wurde geschrieben; entfernen Sie das Ziel und migrieren Sie erneut für eine frische Kopie.</translation>
    </message>
    <message>
        <source>Cannot save the copy: %1</source>
        <translation>Die Kopie kann nicht gespeichert werden: %1</translation>
    </message>
</context>
<context>
    <name>dl::StoreInspector</name>
    <message>
        <source>The store is being written by another program: close it first.</source>
        <translation>Die Ablage wird von einem anderen Programm geschrieben: Schließen Sie es zuerst.</translation>
    </message>
    <message>
        <source>%1: not in the image folder</source>
        <translation>%1: nicht im Bildordner</translation>
    </message>
</context>
<context>
    <name>dl::StoreLocation</name>
    <message>
        <source>No store given.</source>
        <translation>Keine Ablage angegeben.</translation>
    </message>
    <message>
        <source>%1 is neither a store file nor a postgresql:// URL.</source>
        <translation>%1 ist weder eine Ablagedatei noch eine postgresql://-URL.</translation>
    </message>
    <message>
        <source>%1 is not a valid URL: write postgresql://user@host:port/database.</source>
        <translation>%1 ist keine gültige URL: Schreiben Sie postgresql://user@host:port/database.</translation>
    </message>
    <message>
        <source>%1: a store URL has no #fragment.</source>
        <translation>%1: Eine Ablage-URL hat kein #Fragment.</translation>
    </message>
    <message>
        <source>%1: the port must be between 1 and 65535.</source>
        <translation>%1: Der Port muss zwischen 1 und 65535 liegen.</translation>
    </message>
    <message>
        <source>%1 names no database: write postgresql://host/database.</source>
        <translation>%1 nennt keine Datenbank: Schreiben Sie postgresql://host/database.</translation>
    </message>
    <message>
        <source>%1: the database name must not contain &apos;/&apos;.</source>
        <translation>%1: Der Datenbankname darf kein „/“ enthalten.</translation>
    </message>
    <message>
        <source>%1: the option %2 is given twice.</source>
        <translation>%1: Die Option %2 ist doppelt angegeben.</translation>
    </message>
    <message>
        <source>%1: the option %2 needs a value without &apos;;&apos;.</source>
        <translation>%1: Die Option %2 braucht einen Wert ohne „;“.</translation>
    </message>
    <message>
        <source>%1: sslmode must be one of %2.</source>
        <translation>%1: sslmode muss eines von %2 sein.</translation>
    </message>
    <message>
        <source>%1: connect_timeout must be a number of seconds.</source>
        <translation>%1: connect_timeout muss eine Zahl von Sekunden sein.</translation>
    </message>
    <message>
        <source>%1: unknown option %2 (DermLabel understands sslmode, sslrootcert, connect_timeout and application_name).</source>
        <translation>%1: unbekannte Option %2 (DermLabel versteht sslmode, sslrootcert, connect_timeout und application_name).</translation>
    </message>
</context>
<context>
    <name>dl::SuperpixelTool</name>
    <message>
        <source>Preparing superpixels…</source>
        <translation>Superpixel werden vorbereitet…</translation>
    </message>
    <message>
        <source>The superpixels are still being prepared.</source>
        <translation>Die Superpixel werden noch vorbereitet.</translation>
    </message>
    <message numerus="yes">
        <source>Superpixels ready: %n region(s).</source>
        <translation>
            <numerusform>Superpixel bereit: %n Region.</numerusform>
            <numerusform>Superpixel bereit: %n Regionen.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>dl::Taxonomy</name>
    <message numerus="yes">
        <source>... and %n more problem(s)</source>
        <translation>
            <numerusform>... und %n weiteres Problem</numerusform>
            <numerusform>... und %n weitere Probleme</numerusform>
        </translation>
    </message>
    <message>
        <source>synonym &quot;%1&quot; contains &apos;|&apos;, which separates synonyms</source>
        <translation>Synonym „%1“ enthält „|“, das Synonyme trennt</translation>
    </message>
    <message>
        <source>synonym &quot;%1&quot; has no letters or digits</source>
        <translation>Synonym „%1“ hat keine Buchstaben oder Ziffern</translation>
    </message>
    <message>
        <source>the id is empty</source>
        <translation>die ID ist leer</translation>
    </message>
    <message>
        <source>id &quot;%1&quot; may only contain lowercase letters a-z, digits and &apos;_&apos;</source>
        <translation>ID „%1“ darf nur Kleinbuchstaben a-z, Ziffern und „_“ enthalten</translation>
    </message>
    <message>
        <source>duplicate id &quot;%1&quot; (first used on %2)</source>
        <translation>doppelte ID „%1“ (zuerst verwendet in %2)</translation>
    </message>
    <message>
        <source>condition &quot;%1&quot; has no name</source>
        <translation>Erkrankung „%1“ hat keinen Namen</translation>
    </message>
    <message>
        <source>name &quot;%1&quot; has no letters or digits</source>
        <translation>Name „%1“ hat keine Buchstaben oder Ziffern</translation>
    </message>
    <message>
        <source>name &quot;%1&quot; is already the name of &quot;%2&quot; (%3); names must differ in more than case, accents or punctuation</source>
        <translation>Name „%1“ ist bereits der Name von „%2“ (%3); Namen müssen sich in mehr als Groß-/Kleinschreibung, Akzenten oder Satzzeichen unterscheiden</translation>
    </message>
    <message>
        <source>parent &quot;%1&quot; of &quot;%2&quot; is not a condition id</source>
        <translation>Elternteil „%1“ von „%2“ ist keine Erkrankungs-ID</translation>
    </message>
    <message>
        <source>parents form a cycle: %1</source>
        <translation>Elternteile bilden einen Zyklus: %1</translation>
    </message>
    <message>
        <source>synonym &quot;%1&quot; of &quot;%2&quot; is the name of &quot;%3&quot; (%4); that name maps to &quot;%3&quot;</source>
        <translation>Synonym „%1“ von „%2“ ist der Name von „%3“ (%4); dieser Name verweist auf „%3“</translation>
    </message>
    <message>
        <source>synonym &quot;%1&quot; of &quot;%2&quot; is also a synonym of &quot;%3&quot; (%4); it maps to &quot;%3&quot;</source>
        <translation>Synonym „%1“ von „%2“ ist auch ein Synonym von „%3“ (%4); es verweist auf „%3“</translation>
    </message>
    <message>
        <source>entry %1</source>
        <translation>Eintrag %1</translation>
    </message>
    <message>
        <source>entry %1 (%2)</source>
        <translation>Eintrag %1 (%2)</translation>
    </message>
    <message>
        <source>taxonomy CSV</source>
        <translation>Taxonomie-CSV</translation>
    </message>
    <message>
        <source>line %1</source>
        <translation>Zeile %1</translation>
    </message>
    <message>
        <source>%1: cannot open the file: %2</source>
        <translation>%1: Die Datei kann nicht geöffnet werden: %2</translation>
    </message>
    <message>
        <source>%1: cannot read the file: %2</source>
        <translation>%1: Die Datei kann nicht gelesen werden: %2</translation>
    </message>
</context>
<context>
    <name>dl::TaxonomyCsv</name>
    <message>
        <source>%1: the file has a header but no conditions</source>
        <translation>%1: Die Datei hat eine Kopfzeile, aber keine Erkrankungen</translation>
    </message>
    <message>
        <source>%1: column &quot;%2&quot; is not used and was ignored</source>
        <translation>%1: Spalte „%2“ wird nicht verwendet und wurde ignoriert</translation>
    </message>
</context>
<context>
    <name>dl::TeamSecurity</name>
    <message>
        <source>The team store&apos;s security rules are missing from this program.</source>
        <translation>Die Sicherheitsregeln der Team-Ablage fehlen in diesem Programm.</translation>
    </message>
    <message>
        <source>Only the store&apos;s owner (a superuser, or a role with CREATEROLE that owns the database) may set up who may see what on a team store.</source>
        <translation>Nur der Eigentümer der Ablage (ein Superuser oder eine Rolle mit CREATEROLE, der die Datenbank gehört) darf festlegen, wer in einer Team-Ablage was sehen darf.</translation>
    </message>
    <message>
        <source>Database error: %1</source>
        <translation>Datenbankfehler: %1</translation>
    </message>
    <message>
        <source>Cannot set up the team store&apos;s security: %1</source>
        <translation>Die Sicherheit der Team-Ablage kann nicht eingerichtet werden: %1</translation>
    </message>
    <message>
        <source>The team store&apos;s schema is older than this program. An administrator must upgrade it first, connected as the store&apos;s owner: dermlabel-cli init --store URL</source>
        <translation>Das Schema der Team-Ablage ist älter als dieses Programm. Ein Administrator muss es zuerst aktualisieren, verbunden als Eigentümer der Ablage: dermlabel-cli init --store URL</translation>
    </message>
    <message>
        <source>There is no such user.</source>
        <translation>Diesen Benutzer gibt es nicht.</translation>
    </message>
</context>
<context>
    <name>dl::TeamStoreDialog</name>
    <message>
        <source>Open Team Store</source>
        <translation>Team-Ablage öffnen</translation>
    </message>
    <message>
        <source>A team store lives on a PostgreSQL server that your team&apos;s administrator set up. Enter the address they gave you; you sign in next.</source>
        <translation>Eine Team-Ablage liegt auf einem PostgreSQL-Server, den die Administration Ihres Teams eingerichtet hat. Geben Sie die Adresse ein, die Sie bekommen haben; danach melden Sie sich an.</translation>
    </message>
    <message>
        <source>&amp;Address:</source>
        <translation>&amp;Adresse:</translation>
    </message>
    <message>
        <source>The connection is encrypted whenever the server offers it. To also check the server&apos;s certificate, end the address with &lt;tt style=&quot;white-space: nowrap&quot;&gt;?sslmode=verify-full&lt;/tt&gt;.</source>
        <translation>Die Verbindung ist verschlüsselt, wann immer der Server es anbietet. Um auch das Zertifikat des Servers zu prüfen, beenden Sie die Adresse mit &lt;tt style=&quot;white-space: nowrap&quot;&gt;?sslmode=verify-full&lt;/tt&gt;.</translation>
    </message>
    <message>
        <source>Continue</source>
        <translation>Weiter</translation>
    </message>
</context>
<context>
    <name>dl::ThumbnailMaker</name>
    <message>
        <source>The image header given does not match the image data</source>
        <translation>Der angegebene Bildheader passt nicht zu den Bilddaten</translation>
    </message>
    <message>
        <source>The thumbnail could not be encoded</source>
        <translation>Das Vorschaubild konnte nicht kodiert werden</translation>
    </message>
</context>
<context>
    <name>dl::Transaction</name>
    <message>
        <source>The store is busy: another program keeps writing to it. Try again in a moment.</source>
        <translation>Die Ablage ist belegt: Ein anderes Programm schreibt ständig hinein. Versuchen Sie es gleich noch einmal.</translation>
    </message>
</context>
<context>
    <name>dl::UserRepository</name>
    <message>
        <source>&apos;%1&apos; is not a valid user name: use 1 to 64 letters, digits, &apos;.&apos;, &apos;_&apos; or &apos;-&apos;.</source>
        <translation>„%1“ ist kein gültiger Benutzername: Verwenden Sie 1 bis 64 Buchstaben, Ziffern, „.“, „_“ oder „-“.</translation>
    </message>
    <message>
        <source>The password must have at least %1 characters.</source>
        <translation>Das Passwort muss mindestens %1 Zeichen haben.</translation>
    </message>
    <message>
        <source>There is already a user named &apos;%1&apos;.</source>
        <translation>Es gibt bereits einen Benutzer namens „%1“.</translation>
    </message>
</context>
<context>
    <name>dl::UserService</name>
    <message>
        <source>The signed-in user %1 is not in this store.</source>
        <translation>Der angemeldete Benutzer %1 ist nicht in dieser Ablage.</translation>
    </message>
    <message>
        <source>There is no such user.</source>
        <translation>Diesen Benutzer gibt es nicht.</translation>
    </message>
    <message>
        <source>%1 is the last active administrator. Make another user an administrator first.</source>
        <translation>%1 ist der letzte aktive Administrator. Machen Sie zuerst einen anderen Benutzer zum Administrator.</translation>
    </message>
    <message>
        <source>%1 is already disabled.</source>
        <translation>%1 ist bereits deaktiviert.</translation>
    </message>
    <message numerus="yes">
        <source>The password must have at least %n character(s).</source>
        <translation>
            <numerusform>Das Passwort muss mindestens %n Zeichen haben.</numerusform>
            <numerusform>Das Passwort muss mindestens %n Zeichen haben.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>dl::UserTableModel</name>
    <message>
        <source>active</source>
        <translation>aktiv</translation>
    </message>
    <message>
        <source>disabled</source>
        <translation>deaktiviert</translation>
    </message>
    <message>
        <source>%1 assigned, %2 done, %3 to do</source>
        <translation>%1 zugewiesen, %2 fertig, %3 offen</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Display name</source>
        <translation>Anzeigename</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rolle</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Aktiv</translation>
    </message>
    <message>
        <source>Assigned</source>
        <translation>Zugewiesen</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Fertig</translation>
    </message>
</context>
<context>
    <name>dl::UsersDialog</name>
    <message>
        <source>Users</source>
        <translation>Benutzer</translation>
    </message>
    <message>
        <source>&amp;Add…</source>
        <translation>&amp;Hinzufügen…</translation>
    </message>
    <message>
        <source>Add a dermatologist, QA lead or administrator (Ctrl+N)</source>
        <translation>Einen Dermatologen, eine QS-Leitung oder einen Administrator hinzufügen (Ctrl+N)</translation>
    </message>
    <message>
        <source>Reset &amp;Password…</source>
        <translation>&amp;Passwort zurücksetzen…</translation>
    </message>
    <message>
        <source>Give the selected user a new password</source>
        <translation>Dem gewählten Benutzer ein neues Passwort geben</translation>
    </message>
    <message>
        <source>&amp;Disable</source>
        <translation>&amp;Deaktivieren</translation>
    </message>
    <message>
        <source>Disable the selected account; unfinished work goes to other dermatologists</source>
        <translation>Das gewählte Konto deaktivieren; unfertige Arbeit geht an andere Dermatologen</translation>
    </message>
    <message>
        <source>&amp;Role</source>
        <translation>&amp;Rolle</translation>
    </message>
    <message>
        <source>Change the selected user&apos;s role</source>
        <translation>Die Rolle des gewählten Benutzers ändern</translation>
    </message>
    <message>
        <source>&amp;Enable</source>
        <translation>&amp;Aktivieren</translation>
    </message>
    <message>
        <source>Let the selected user sign in again</source>
        <translation>Den gewählten Benutzer wieder anmelden lassen</translation>
    </message>
    <message>
        <source>Added %1 (%2).</source>
        <translation>%1 hinzugefügt (%2).</translation>
    </message>
    <message>
        <source>The password of %1 was changed.</source>
        <translation>Das Passwort von %1 wurde geändert.</translation>
    </message>
    <message>
        <source>%1 can sign in again. Use Admin › Assign Images to give them new work.</source>
        <translation>%1 kann sich wieder anmelden. Mit Verwaltung › Bilder zuweisen bekommt die Person neue Arbeit.</translation>
    </message>
    <message>
        <source>%1 is disabled.</source>
        <translation>%1 ist deaktiviert.</translation>
    </message>
    <message>
        <source>Unstarted images moved to other dermatologists: %1; new assignments: %2.</source>
        <translation>Nicht begonnene Bilder an andere Dermatologen verschoben: %1; neue Zuweisungen: %2.</translation>
    </message>
    <message>
        <source>Images with fewer raters than wanted: %1 (add or enable dermatologists).</source>
        <translation>Bilder mit weniger Bewertern als gewünscht: %1 (Dermatologen hinzufügen oder aktivieren).</translation>
    </message>
    <message>
        <source>%1 is now %2.</source>
        <translation>%1 ist jetzt %2.</translation>
    </message>
    <message>
        <source>Unstarted images moved to other dermatologists: %1.</source>
        <translation>Nicht begonnene Bilder an andere Dermatologen verschoben: %1.</translation>
    </message>
    <message>
        <source>Disable User</source>
        <translation>Benutzer deaktivieren</translation>
    </message>
    <message>
        <source>Disable %1 (%2)?</source>
        <translation>%1 (%2) deaktivieren?</translation>
    </message>
    <message>
        <source>They can no longer sign in. Images they have not finished (%1) go to other dermatologists, so that every image keeps its number of raters; the labels they finished (%2) are kept.</source>
        <translation>Die Person kann sich nicht mehr anmelden. Bilder, die sie nicht abgeschlossen hat (%1), gehen an andere Dermatologen, damit jedes Bild seine Zahl an Bewertern behält; die abgeschlossenen Labels (%2) bleiben erhalten.</translation>
    </message>
    <message>
        <source>They can no longer sign in.</source>
        <translation>Die Person kann sich nicht mehr anmelden.</translation>
    </message>
</context>
<context>
    <name>dl::ValueText</name>
    <message>
        <source>Not gradable</source>
        <translation>Nicht beurteilbar</translation>
    </message>
    <message>
        <source>Cannot determine</source>
        <translation>Nicht bestimmbar</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>Ja</translation>
    </message>
    <message>
        <source>No</source>
        <translation>Nein</translation>
    </message>
    <message>
        <source>Unsure</source>
        <translation>Unsicher</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>DermLabel: annotation workstation for de-identified dermatology images.</source>
        <translation>DermLabel: Annotationsarbeitsplatz für de-identifizierte dermatologische Bilder.</translation>
    </message>
    <message>
        <source>Open this store.</source>
        <translation>Diese Ablage öffnen.</translation>
    </message>
    <message>
        <source>PATH</source>
        <translation>PFAD</translation>
    </message>
</context>
</TS>
