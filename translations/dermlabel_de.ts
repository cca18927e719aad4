<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>dl</name>
    <message>
        <source>Not a JPEG file (no SOI marker).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The JPEG file is truncated: it ends without an EOI marker.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Corrupt JPEG: expected a marker at offset %1, found byte %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The JPEG file is truncated: it ends inside a marker.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Corrupt JPEG: unexpected marker %1 at offset %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Corrupt JPEG: EOI before any scan.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The JPEG file is truncated: segment %1 at offset %2 is cut short.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Corrupt JPEG: segment %1 at offset %2 has the invalid length %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The JPEG file is truncated: segment %1 at offset %2 needs %3 bytes, %4 are left.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Corrupt JPEG: a scan (SOS) before the frame header (SOF).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The JPEG file is truncated: the scan data starting at offset %1 does not end in a marker.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The JPEG file is truncated: it ends inside the scan data.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not a PNG file (no PNG signature).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The PNG file is truncated: it ends without an IEND chunk.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Corrupt PNG: invalid chunk type at offset %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Corrupt PNG: chunk %1 at offset %2 has the invalid length %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The PNG file is truncated: chunk %1 at offset %2 is cut short.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Corrupt PNG: the first chunk is not a 13-byte IHDR.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unsupported PNG: unknown critical chunk %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Corrupt PNG: the CRC of chunk %1 at offset %2 is wrong.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Corrupt PNG: a second IHDR chunk.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Corrupt PNG: no IDAT chunk before IEND.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> and %1 more</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Case %1, column %2: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a Fitzpatrick type; kept as an attribute only.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a Monk skin tone.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Field &quot;%1&quot; is %2, so its values must be numbers, but item &quot;%3&quot; has the value &quot;%4&quot; (rater &quot;%5&quot;).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No item has two or more ratings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Items have different numbers of ratings (%1 to %2); Fleiss&apos; kappa needs the same number for every item.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only one category was used, so chance agreement is 1 and kappa is undefined.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is not enough memory for this operation; nothing more was done.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The image processing library reported an error; nothing more was done: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>An unexpected error stopped this operation; nothing more was done: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>An unexpected error stopped this operation; nothing more was done.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the folder is not empty and holds no manifest.json</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>its manifest.json is too large to be a bundle&apos;s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>its manifest.json was not written by DermLabel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>it holds %1, which its manifest does not list</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the file is not a zip archive</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the archive holds no manifest.json</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>its manifest.json cannot be read</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tag %1 has the type %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tag %1 (%2) is too short</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tag %1 has the unknown parametric curve type %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not valid JSON: %1 at offset %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A LabelMe file must be a JSON object.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The LabelMe file has no &quot;imagePath&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The LabelMe file needs a positive integer &quot;imageWidth&quot; and &quot;imageHeight&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Malformed ICC profile: an APP2 chunk without sequence number and count.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Malformed ICC profile: its APP2 chunks are not numbered 1 to %1 once each.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Malformed ICC profile: %1 of its %2 APP2 chunks are present.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Malformed ICC profile: larger than %1 bytes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Malformed ICC profile: too large for 255 APP2 chunks.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot start zlib.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Malformed ICC profile: it inflates to more than %1 bytes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Malformed ICC profile: its compressed data is corrupt or cut short.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Malformed ICC profile: the iCCP chunk has no valid name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Malformed ICC profile: unknown iCCP compression method %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot compress the ICC profile.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the local PostgreSQL server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(your login name)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The table %1 is missing from the store %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The table %1 has no primary key to copy it by.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::AgreementReport</name>
    <message>
        <source>%1: no ratings for the field(s) given a level: %2.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::AgreementTableModel</name>
    <message>
        <source>good (α ≥ 0.800)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tentative (0.667 ≤ α &lt; 0.800)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>poor (α &lt; 0.667)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not computable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 images with at least two ratings; %2 ratings on them</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Krippendorff&apos;s alpha (%1): %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bootstrap percentile interval, %1 replicates</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Press ǌonfidence intervals” to run the bootstrap</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 / %2: %3 (%4 images)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 %2: %3 images rated, %4 with at least two ratings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Krippendorff&apos;s alpha for %1 %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Images with at least two ratings for %1 %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Field</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Level</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cases</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Raters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Agreement</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fleiss κ</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>α</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>α 95% CI</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mean pair κ</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cases with at least two ratings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Images with at least two ratings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Percent agreement: mean share of agreeing rater pairs per image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fleiss&apos; kappa (only when every image has the same number of ratings)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Krippendorff&apos;s alpha at the field&apos;s level of measurement</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>95% bootstrap confidence interval of alpha (seeded, reproducible)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mean Cohen&apos;s kappa over rater pairs; quadratic-weighted for ordinal fields</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::AnnotationService</name>
    <message>
        <source>This image is not assigned to %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown reason for not gradable: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Visible skin condition must be yes, no or unsure.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown kind of identifying content: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>At most %1 potential diagnoses.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Each potential diagnosis must be a different condition.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confidence must be from 1 to 5.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;Cannot determine&apos; excludes potential diagnoses.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fitzpatrick type must be I to VI or not gradable.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Monk skin tone must be 1 to 10 or not gradable.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only the author may change an annotation.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown status %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>These labels were changed elsewhere (in another window or on another workstation) since they were read here; nothing was overwritten.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::AssignDialog</name>
    <message>
        <source>Assign Images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every image is labelled independently by K different dermatologists. New assignments go to whoever has the least work; nobody gets an image twice.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> dermatologists</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Raters per image (K):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A&amp;ll images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only images with &amp;fewer than K raters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scope:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Dermatologists taking part (Space toggles):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dermatologist</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Assigned now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>To add</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>After</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Assign</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose at least one dermatologist.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every image already has %1 raters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing to add to the %1 images in scope.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 new assignments over %2 images in scope.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 images cannot reach %2 raters with the dermatologists chosen.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::AssignmentService</name>
    <message>
        <source>Each image needs at least one rater.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 raters per image were asked for, but there are only %2 active annotators.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose at least one active annotator to assign images to.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only the work of a disabled rater, or of one who is no longer a dermatologist, is moved.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::BundleExporter</name>
    <message>
        <source>Image %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a mask does not have the image&apos;s size.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the masks of %1 differ in size.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No output path given.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>DermLabel label bundle</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export cancelled; nothing was written.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a mask layer cannot be read.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The export could not be recorded in the audit log, so nothing was exported: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::BundleVerifier</name>
    <message>
        <source>%1 is not a readable zip archive: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 does not exist.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>manifest.json cannot be read: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>manifest.json is not a JSON object: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>manifest.json has an unknown format_version (this program reads 1 to %1).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>manifest.json has no &quot;files&quot; list.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>manifest.json: files[%1] needs a path, a size and a sha256.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>manifest.json: files[%1]: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>manifest.json lists %1 twice.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is missing.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 cannot be read: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 has %2 bytes; the manifest says %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 does not match its SHA-256 in the manifest.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is in the bundle but not in the manifest.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::BundleWriter</name>
    <message>
        <source>Invalid path in bundle &quot;%1&quot;: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>empty</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>absolute</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>contains a backslash, colon or control character</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>empty, &quot;.&quot; or &quot;..&quot; component</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>reserved for the manifest</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A bundle is already being written to %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No output path given.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 already exists; choose another path or allow overwriting.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot create the folder %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot create the temporary folder %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot find a free temporary name next to %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No bundle is open.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 was already added to the bundle.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is already a folder in the bundle.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is already a file in the bundle.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot create the folder for %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Files are still being added to the bundle.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot create the archive %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot add %1 to the archive: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write the archive %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot move the bundle to %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot replace %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot move the existing %1 aside: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>it is a symbolic link</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>it is neither a folder nor a file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not a bundle written by DermLabel (%2). Nothing was replaced or deleted; choose a new path, an empty folder or a previous bundle.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The manifest extras may not set &quot;files&quot;, &quot;format_version&quot; or &quot;generator&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::CaseContextBar</name>
    <message>
        <source>&lt;i&gt;This image belongs to no case.&lt;/i&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Another image of the same case</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Age</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 year</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 years</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sex</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Body site</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Duration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Symptoms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;i&gt;No case details.&lt;/i&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 region</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 regions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Face confirmed&lt;/b&gt; by QA (%1). Tick &lt;i&gt;Identifying: face&lt;/i&gt; and mark its region so it is covered on export.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Possible face&lt;/b&gt; found by the face check (%1). If a face shows, tick &lt;i&gt;Identifying: face&lt;/i&gt; and mark its region; QA confirms or dismisses the flag.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The frontal-face check flags images for suitability review; an image with an open flag is held back from export.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fitzpatrick %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Monk %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reference (training store)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::CocoReader</name>
    <message>
        <source>Cannot read %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not valid JSON: %1 at offset %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A COCO file must be a JSON object.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The COCO file has no &quot;%1&quot; array.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 has no integer &quot;id&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 has no &quot;file_name&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 needs a positive integer &quot;width&quot; and &quot;height&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: the image id %2 is used twice.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: the file name %2 is used twice.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 has no &quot;name&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: the category id %2 is used twice.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: the category name &quot;%2&quot; is used twice.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not an object.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 has no integer &quot;image_id&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 refers to the undeclared image_id %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 has no integer &quot;category_id&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 refers to the undeclared category_id %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 has no segmentation; skipped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: segmentation polygon %2 needs an even number of at least 6 coordinates.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: segmentation polygon %2 has a coordinate that is not a number.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: the segmentation polygons cannot be rasterised (coordinates out of range).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: invalid RLE segmentation: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: the RLE size [%2, %3] differs from its image %4 (%5 x %6, size [%6, %5]).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: &quot;segmentation&quot; must be a polygon list or an RLE object.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 cannot be merged with the earlier &quot;%2&quot; region of %3.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::CocoRle</name>
    <message>
        <source>Invalid RLE size %1 x %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RLE string ends in the middle of a value (at character %1).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Invalid character (code %1) at position %2 of the RLE string.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RLE value at character %1 is too long.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RLE count %1 (number %2) is out of range.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RLE &quot;size&quot; must be [height, width] with non-negative integers.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RLE &quot;counts&quot; string contains a non-ASCII character.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RLE &quot;counts&quot; array holds a value that is not a count.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RLE &quot;counts&quot; must be a string or an array of integers.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RLE counts add up to %1 pixels, but a %2 x %3 mask has %4.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::CocoWriter</name>
    <message>
        <source>A COCO category needs a name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The COCO category &quot;%1&quot; was added twice.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A COCO image needs a file name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The image %1 was added twice.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The image %1 has the invalid size %2 x %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The image %1 has a mask of the unknown category &quot;%2&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The &quot;%1&quot; mask of %2 is %3 x %4 (type %5), not %6 x %7 8-bit.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The &quot;%1&quot; mask of %2 does not have the image&apos;s size.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::ConfusionHeatMap</name>
    <message>
        <source>These two raters have no image of this field in common.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (columns)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (rows)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Outlined: both raters gave the same label. Darker: more images.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::ConsensusCalculator</name>
    <message>
        <source>no rater answered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no two raters agree</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tie: %1 votes each</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no quorum: %1 of %2 needed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no rater named a condition</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tie: %1 and %2 weigh the same</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no quorum: %1 of %2 raters named a condition</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>waiting for %n more rater(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
</context>
<context>
    <name>dl::ConsensusService</name>
    <message>
        <source>The quorum must be from 1 to 20 raters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled; the consensus was left as it was.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not a field with a consensus.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a value of %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give a reason for the decision.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No such image.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::CsvReader</name>
    <message>
        <source>the file is empty</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>line %1: invalid UTF-8 (byte 0x%2); save the file as UTF-8</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>line %1: a quoted field is not closed (missing &apos;&quot;&apos;)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>line %1: the header has more than one empty column name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>line %1: duplicate column name &quot;%2&quot; in the header</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>line %1: %2 fields, header has %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no header row (the file holds only blank lines)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: file not found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: is a folder, not a CSV file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: cannot open: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: cannot read: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: missing required column(s): %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>line %1: a field of more than %2 MB; fields are limited to %2 MB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>line %1: more than %2 fields, header has %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>line %1: the header has more than %2 columns; at most %2 are supported</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>line %1: a row of more than %2 MB; rows are limited to %2 MB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>line %1: more than %2 million fields in all (rows x columns); split the file</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::CsvWriter</name>
    <message>
        <source>%1: row %2 has %3 fields, header has %4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: cannot open for writing: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: write failed: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: cannot save: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::DatasetPaths</name>
    <message>
        <source>The path points outside the dataset folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file does not exist.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The path is not a file.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::DemoDataset</name>
    <message>
        <source>Cannot encode the demo image %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The number of demo images must not be negative (%1).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The demo image size %1 x %2 is too small (at least 16 x 16).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot create the folder %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::DemoRatings</name>
    <message>
        <source>The taxonomy has no conditions.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::DiagnosisRow</name>
    <message>
        <source>Confidence</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Most likely condition…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Alternative condition…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Diagnosis %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove this diagnosis</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove diagnosis %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>very unsure</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unsure</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>moderately sure</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>sure</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>very sure</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confidence %1: %2 (key %1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::DisagreementModel</name>
    <message>
        <source>agreed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>pending</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>to adjudicate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>adjudicated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Share of the raters against the leading value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Field</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Leading votes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Against</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Why</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::ExportDialog</name>
    <message>
        <source>Export Label Bundle</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bundle</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Folder or .zip file to write</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>One &amp;zip archive instead of a folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Consensus labels and masks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every &amp;rater&apos;s labels and masks (pseudonymised)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Output:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Labels:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Release gate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hold back records whose age group, sex, skin type, body site, country and condition occur fewer than k times in the bundle. 1 turns the check off.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Solid fill</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Strong blur</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Include the datasets&apos; own case ids where they are public</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;k-anonymity:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Minimum raters:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Identifying regions:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What will be exported</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checking the store…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Held back because</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel Export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export to Zip Archive</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Zip archives (*.zip)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export to Folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The store could not be checked: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2 labelled images will be exported; %3 are held back.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wrote %1: %2 images, %3 masks, %4 COCO annotations; %5 images held back (see release_report.json).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export cancelled; nothing was written.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The export failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export Running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel the export and close?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Replace a previous bundle there</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only a bundle DermLabel wrote, or an empty folder, is replaced; anything else is refused and left as it is.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::ExportSource</name>
    <message>
        <source>Image %1 is labelled but not in the store.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Case %1 of image %2 is not in the store.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::FaceCheck</name>
    <message>
        <source>Image %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The image has no face flag.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::FaceDetector</name>
    <message>
        <source>The face detection cascade %1 was not found (looked in %2). Install the Debian package opencv-data or set DERMLABEL_FACE_CASCADE.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The face detection cascade %1 does not exist.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not a readable OpenCV cascade file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot look for faces in a null image.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No face detection cascade is loaded.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Face detection needs a non-empty 8-bit image with 1, 3 or 4 channels.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Face detection failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::FaceFlagModel</name>
    <message>
        <source>Open: held back from export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confirmed: a face shows</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dismissed: no face</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Possible faces</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Review</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::FolderScanner</name>
    <message>
        <source>The folder cannot be read.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 images are not supported.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::GrabCutTool</name>
    <message>
        <source>Segmenting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wait for the segmentation to finish.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GrabCut session ended: the next strokes start a new one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GrabCut session ended: the next box starts a new one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Now drag over the lesion: the segmentation starts from a foreground stroke.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Leave some background outside the box.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refining…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The segmentation found nothing.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refine with strokes: drag over what belongs, right drag (or Alt+drag) over what does not; Esc ends.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::IccProfile</name>
    <message>
        <source>Malformed ICC profile: %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 bytes, shorter than a header and a tag count</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 bytes, more than the %2 accepted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the header gives the size %1, the data has %2 bytes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no &apos;acsp&apos; signature</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>version %1 is not supported (2 and 4 are)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the profile class %1 cannot describe an image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unknown rendering intent %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a tag table of %1 entries does not fit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tag %1 appears twice</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tag %1 (offset %2, size %3) is outside the profile&apos;s %4 bytes of tag data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no tag that defines colours</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::ImageBlobRepository</name>
    <message>
        <source>Cannot read %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot upload the image file %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the file became shorter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 changed while it was uploaded.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file %1 is not the image %2 (its SHA-256 is %3): not uploaded.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot download the image file %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file of image %1 is missing from the store: it was never uploaded.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The image file %1 is not in this store, or you may not read it (the image is not assigned to you).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot create the folder %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file of image %1 in the store is incomplete (part %2 of %3 is missing).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file of image %1 in the store is damaged (longer than recorded).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file of image %1 in the store is incomplete (%2 of %3 bytes).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file of image %1 in the store is damaged (its SHA-256 does not match).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::ImageCache</name>
    <message>
        <source>Cannot decode image file &quot;%1&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::ImageDecoder</name>
    <message>
        <source>The %1 decoder could not read the image: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The decoded image (%1 x %2) does not match its header (%3 x %4)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not enough memory for the decoded image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot open image file &quot;%1&quot;: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot read image file &quot;%1&quot;: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot decode image file &quot;%1&quot;: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::ImageFileCache</name>
    <message>
        <source>%1 is not an image file of the store.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::ImageFormat</name>
    <message>
        <source>Accepted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Empty file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Truncated file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not an image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unsupported image format</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Corrupt image data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Image too large</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unreadable file</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::ImageIngest</name>
    <message>
        <source>The file cannot be read: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file is %1 MB, more than the limit of %2 MB.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write to the store&apos;s image folder %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::ImageListModel</name>
    <message>
        <source>to do</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>in progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>skipped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>flagged for QA</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1
%2 x %3 pixels, %4, %5 KB</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::ImageProbe</name>
    <message>
        <source>JPEG data ends inside its header</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JPEG header is damaged: no marker at byte %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JPEG header is damaged: unexpected marker 0x%1 at byte %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JPEG file ends before any image data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JPEG header is damaged: bad segment length at byte %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JPEG file has more than one frame header</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>lossless or hierarchical JPEG (SOF%1) is not supported</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JPEG frame header is too short</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1-bit JPEG is not supported</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JPEG frame header is damaged</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JPEG with %1 colour components is not supported</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JPEG frame header has bad sampling factors</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JPEG image data starts before the frame header</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JPEG data ends before the end-of-image marker</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PNG data ends inside its header</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Apple-optimised PNG (CgBI) is not supported</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PNG file does not start with an IHDR chunk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PNG header (IHDR) has a bad CRC</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PNG header has an invalid pixel format (colour type %1, depth %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PNG data ends before the IEND chunk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WebP data ends inside its header</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WebP header is damaged</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WebP (VP8) frame header is damaged</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WebP (VP8L) header is damaged</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WebP file has no image chunk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WebP data ends early: %1 of %2 bytes present</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>BMP data ends inside its header</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>BMP header has an unknown size (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>BMP with embedded JPEG or PNG data is not supported</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>BMP header has an invalid pixel format (%1 bits, compression %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>BMP header has a bad pixel data offset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>BMP data ends early: %1 of %2 bytes present</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>looks like a PDF document</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>looks like a ZIP archive</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>looks like a video or other ISO media file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>looks like a RIFF file that is not WebP</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>looks like gzip-compressed data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>looks like an SQLite database</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>looks like text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file is empty</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 files are not supported</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The data ends inside the image header</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 images are not supported</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The data is not a recognised image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The data is not a recognised image (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 header gives an impossible image size (%2 x %3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 x %2 pixels exceeds the limit of %3 megapixels</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TIFF data ends inside its header</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TIFF header is damaged</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TIFF header has no valid image directory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TIFF image directory is empty</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>DNG camera raw files are not supported</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TIFF image directory has no image size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TIFF first image is a reduced-resolution preview (camera raw file?)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TIFF image directory has no image data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TIFF image data offsets are damaged</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TIFF data ends early: %1 of %2 bytes present</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::ImageService</name>
    <message>
        <source>There is no image %1 in the store.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::ImageSide</name>
    <message>
        <source>Cannot create the folder %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The image file %1 does not match its checksum; it was not copied (run dermlabel-cli check --verify-hashes on the source).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::ImportController</name>
    <message>
        <source>Reading %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Importing images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopping after the current batch; what was imported is kept…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checking and copying images: %1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recording cases and labels: %1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::ImportReport</name>
    <message>
        <source>%1 new images, %2 duplicates, %3 already imported.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 new cases, %2 already known; %3 new reference labels.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 files rejected.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 referenced files missing.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>An interrupted import of this source was resumed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled: what was read so far is kept; run the same import again to continue.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 images may show a face: flagged for suitability review.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::ImportRun</name>
    <message>
        <source>The store could not be updated: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 cases have no importable image and were not added.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The face check did not run: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The end of the import could not be recorded: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::ImportService</name>
    <message>
        <source>%1 is not a folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The folder %1 does not exist.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::InterchangeImporter</name>
    <message>
        <source>Name the rater the labels belong to.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 has the role %2. Imported labels must belong to a dermatologist (annotator): QA leads and administrators do not label images, and agreement statistics count dermatologists only. Choose another name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot read the image %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The image %1 is not in the store by content, and %2 store images were imported from files named %3: cannot tell which one is meant.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The image %1 is not in the store: import the images first with import --folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The image file %1 does not exist and no store image was imported from a file of that name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 refers to the same store image as %2, which was imported first; skipped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The store image %1 vanished.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file is for an image of %1 x %2, but the store image %3 is displayed %4 x %5; skipped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The label &quot;%1&quot; is neither a condition of the taxonomy nor identifying:&lt;kind&gt; (%2); its region was skipped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The region labelled &quot;%1&quot; has no pixel inside the image; skipped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No region with a known label: nothing to import.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing was written for this image: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 already answered &apos;cannot determine&apos; for this image: the region of %2 was skipped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>At most %1 potential diagnoses: the region of %2 (one of the smallest) was skipped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The labels of %1 were changed by another session during the import; import again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not a folder: give the folder that holds the LabelMe JSON files.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no folder %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There are no LabelMe files (*.json) under %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot read the file: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not a LabelMe file: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no COCO file %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give the folder the COCO file&apos;s images are in.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no folder %1 for the COCO images.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot import %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::InterchangeReport</name>
    <message>
        <source>Read %1 COCO image entries</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read %1 LabelMe files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>: %1 images matched in the store (%2 by file name), %3 updated, %4 already up to date; %5 annotations and %6 masks written for %7; %8 skipped, %9 warnings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Created the dermatologist account %1, disabled: it cannot sign in until an administrator enables it and sets a password (workstation: Users).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled: the images done so far are stored; run the same import again to finish.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::JpegValidator</name>
    <message>
        <source>JPEG file has more than one frame header</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>lossless or hierarchical JPEG is not supported</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JPEG frame header is too short</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1-bit JPEG is not supported</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JPEG frame header gives an impossible image size (%1 x %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JPEG frame header is damaged</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JPEG image is too large to check</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JPEG frame header has bad sampling factors</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JPEG Huffman table is damaged</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JPEG quantisation table is damaged</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JPEG image data is damaged: %1 unexpected bytes before byte %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JPEG data ends inside the image data (scan %1, %2 of %3 blocks)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JPEG image data ends early (scan %1, %2 of %3 blocks)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JPEG image data is damaged: unexpected marker 0x%1 at byte %2 (scan %3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JPEG image data starts before the frame header</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JPEG scan header is damaged</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JPEG scan header names an unknown component</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JPEG progressive scan parameters are invalid</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JPEG scan uses an undefined quantisation table</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JPEG image data is damaged: restart marker out of sequence at byte %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>invalid Huffman code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>impossible coefficient</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>impossible DC value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JPEG image data is damaged: %1 near byte %2 (scan %3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The data is not a JPEG image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JPEG data ends before the end-of-image marker</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JPEG data ends inside its header</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JPEG file ends before any image data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JPEG data is damaged: unexpected marker 0x%1 at byte %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JPEG data is damaged: bad segment length at byte %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JPEG data ends inside a marker segment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JPEG restart interval segment is damaged</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::LabelConflictPanel</name>
    <message>
        <source>&lt;b&gt;Not saved: these labels were changed elsewhere&lt;/b&gt; (in another window or on another workstation) since they were opened here. Nothing was overwritten.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Field</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stored now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Yours (not saved)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Keep stored labels</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your edits are replaced by the stored labels (Undo brings them back).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Overwrite with mine</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your labels are saved over the stored ones.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot determine</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Note</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confidence, rank %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not answered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Region: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drawn elsewhere</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your drawing (not saved)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::LabelFields</name>
    <message>
        <source>Gradable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason not gradable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Visible skin condition</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sensitive content</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Diagnosis, rank 1 (top-1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Diagnosis, rank 2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Diagnosis, rank 3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Diagnosis (weighted)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fitzpatrick type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fitzpatrick gradable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Monk skin tone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Monk tone gradable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Identifying: %1</source>
        <extracomment>%1 is a kind of identifying content as the label form names it, with a lower-case initial.</extracomment>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::LabelForm</name>
    <message>
        <source>&amp;Quality</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Yes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gradable for a skin condition (G)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not gradable (Shift+G)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gradable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gradable: yes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gradable: no</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a reason…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not gradable because: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>S&amp;uitability</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shows a visible skin condition (V)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shows no visible skin condition (N)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unsure</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unsure whether a skin condition is visible (U)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Visible skin condition</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Visible skin condition: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sensitive content (S toggles)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No sensitive content (S toggles)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sensitive content</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sensitive content: yes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sensitive content: no</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Identifying content</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Identifying content: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No identifying content: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Potential &amp;diagnoses</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot determine</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No diagnosis can be given from this image (C)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Diagnosis: cannot determine</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Diagnosis: can be determined</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Skin &amp;type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fitzpatrick</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fitzpatrick type %1 (F then %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not gradable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fitzpatrick type not gradable (F then N)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fitzpatrick type: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Monk skin tone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Monk skin tone: not gradable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Monk skin tone: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>N&amp;ote</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Anything a reviewer should know about this image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Edit note</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Diagnosis %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Diagnosis %1 confidence: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove diagnosis %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Complete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 question left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 questions left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  ·  Fitzpatrick: press 1-6 or N</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  ·  Monk tone: press 1-9, 0 (10) or N</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  ·  read only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Visible skin condition: yes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Visible skin condition: no</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Visible skin condition: unsure</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sensitive content: toggle yes / no</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Go to the first empty diagnosis</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confidence of the diagnosis that has the focus</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Diagnosis: toggle cannot determine</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fitzpatrick type I - VI</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fitzpatrick type not gradable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Monk skin tone 1 - 10 (0 is 10)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Monk skin tone not gradable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Go to Quality, Suitability, Diagnoses, Skin type, Note</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not started: 6 questions, gradability first</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::LabelMeReader</name>
    <message>
        <source>Cannot read %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The LabelMe file says the image is %1 x %2, but it is %3 x %4.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The LabelMe file has no &quot;shapes&quot; array.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>shapes[%1] is not an object.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>shapes[%1] has no &quot;label&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>shapes[%1] (&quot;%2&quot;)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: &quot;shape_type&quot; is not a string.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: &quot;points&quot; must be a list of [x, y] number pairs.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: a polygon with fewer than 3 points; ignored.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: a rectangle needs 2 points; ignored.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: a circle needs 2 points; ignored.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2 shapes are not regions; ignored.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: unknown shape type &quot;%2&quot;; ignored.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The LabelMe file says the image is %1 x %2, more than %3 megapixels: refused before drawing any shape.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::LabelMeWriter</name>
    <message>
        <source>A LabelMe file needs an image path.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Invalid image size %1 x %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The &quot;%1&quot; mask is %2 x %3 (type %4), not %5 x %6 8-bit.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The &quot;%1&quot; mask could not be encoded.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::LabelVocabulary</name>
    <message>
        <source>Blurry</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Poor lighting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Too far</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cropped or obstructed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Other</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Face</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tattoo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Jewellery or birthmark</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Background landmark</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Visible text</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::LabellingDocument</name>
    <message>
        <source>Keep the stored labels</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::LabellingView</name>
    <message>
        <source>Next Image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Previous Image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Skip Image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Flag for QA</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Zoom &amp;Out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Zoom &amp;In</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Fit to Window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Actual Size (100%)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Brightness</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Contrast</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Brightness %1 (view only; Ctrl+B / Ctrl+Shift+B)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Contrast %1 (view only; Ctrl+E / Ctrl+Shift+E)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Brighter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Brighter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Darker</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Darker</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;More Contrast</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>More contrast</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Less Contrast</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Less contrast</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Reset View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Zoom: fitted to the window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Zoom</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The image cannot be shown: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not saved: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>To do</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Skipped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Flagged for QA</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Image %1 of %2 · %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>These labels are read-only: the mask tools are off.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No masks for this image.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The masks cannot be opened: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The mask tools are on once the full image is loaded.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The image is %1 x %2 but its masks are %3 x %4: the mask tools are off.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::LayerAgreementReport</name>
    <message>
        <source>A stored mask of image %1 (%2) cannot be read: %3</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::MagicWandTool</name>
    <message>
        <source>Selecting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wait for the segmentation to finish.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::MainWindow</name>
    <message>
        <source>Store</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;New Store…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Open Store…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open &amp;Recent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Import</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Image &amp;Folder…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ctrl+I</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;SCIN Dataset…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;PASSION Dataset…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign &amp;Out</source>
        <translation type="unfinished"></translation>
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
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;About DermLabel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot open the store</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wait for the running import to finish first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot sign in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Welcome to DermLabel.&lt;/b&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Create Store…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open Store…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>DermLabel stores (*.dermlabel);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Create Store</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open Store</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the SCIN dataset folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the PASSION dataset folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a folder of images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The import could not be done.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import cancelled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import finished.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Interrupted import</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>An import of %1 started at %2 did not finish. Resume it now? Images already imported are kept and skipped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2) · %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No store open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No images are assigned to you yet.
An administrator assigns the work.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This store has no images yet.
Import a folder or a dataset: File › Import.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;h3&gt;Your queue&lt;/h3&gt;&lt;table cellspacing=&apos;4&apos;&gt;&lt;tr&gt;&lt;td&gt;Assigned images&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%1&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Done&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%2&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;To go&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%3&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2 images done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;h3&gt;%1&lt;/h3&gt;&lt;table cellspacing=&apos;4&apos;&gt;&lt;tr&gt;&lt;td&gt;Images&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%2&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Cases&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%3&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Reference labels&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%4&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Users&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%5&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Annotations&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%6&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Sources&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%7&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Image data&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%8 MB&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 new assignments over %2 images.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The new language applies when DermLabel is restarted.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About DermLabel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;h3&gt;DermLabel %1&lt;/h3&gt;&lt;p&gt;An annotation workstation for de-identified dermatology images: quality, suitability, differential diagnoses, skin type and tone, and region masks, labelled by several dermatologists independently.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>An import is running. Stop it and quit? What was imported so far is kept; the import can be resumed later.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quality Dashboard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Export Bundle…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open &amp;Team Store…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Training Store: Show Reference Labels to Raters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Training Store</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Labels, images and users live in a store: a file on this computer, or a team store on your team&apos;s server. Create a new store, or open one that an administrator gave you.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open Team Store…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open a store to begin: File › Open Store, or File › Open Team Store for your team&apos;s server.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;p&gt;No store is open.&lt;/p&gt;&lt;p&gt;Use &lt;b&gt;File › New Store&lt;/b&gt;, &lt;b&gt;File › Open Store&lt;/b&gt; or, for your team&apos;s server, &lt;b&gt;File › Open Team Store&lt;/b&gt;.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::MaskCanvas</name>
    <message>
        <source>[ / ], Shift+wheel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Brush smaller / larger</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shift+click or drag</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Erase with a paint tool (brush, polygon, rectangle, fill, wand)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Click, drag</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Polygon: add a vertex; drag draws a freehand lasso</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter, double-click</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Polygon: close and fill</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Backspace</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Polygon: remove the last vertex</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Esc</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel the polygon, the running segmentation, or end the GrabCut session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drag, then drag / right drag</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GrabCut: box, then foreground / background strokes (or Alt+drag)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drag / right drag, Enter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GrabCut from strokes: foreground / background strokes (or Alt+drag); segments when a foreground stroke ends, or on Enter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The mask tools are off.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No masks for this image.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The image is %1 x %2 but its masks are %3 x %4: the tools are off.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add a potential diagnosis or tick an identifying kind to draw its region.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wait for the segmentation to finish.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::MaskCodec</name>
    <message>
        <source>The mask data is not a PNG image.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The mask PNG is damaged or truncated.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The mask PNG is not an 8-bit greyscale image.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Invalid image size %1 x %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The shape is not a LabelMe mask shape.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A mask shape needs points [[x1, y1], [x2, y2]].</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The mask shape&apos;s box [[%1, %2], [%3, %4]] is inverted.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The mask shape&apos;s box [[%1, %2], [%3, %4]] lies outside the %5 x %6 image.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The mask shape has no base64 &quot;mask&quot; image.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The mask shape&apos;s &quot;mask&quot; is not valid base64.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The mask shape&apos;s &quot;mask&quot; is not a readable PNG image.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The mask shape&apos;s image is %1 x %2 but its box is %3 x %4.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The mask shape&apos;s &quot;mask&quot; is not a PNG image.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The mask shape&apos;s &quot;mask&quot; is not a readable PNG image: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The mask shape&apos;s PNG header says %1 x %2 but its box is %3 x %4; not decoded.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::MaskDocument</name>
    <message>
        <source>Unknown mask layer &quot;%1&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The mask is %1 x %2 but the image is %3 x %4.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::MaskEditCommand</name>
    <message>
        <source>Brush</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Eraser</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Polygon</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rectangle</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fill</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fill holes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove specks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Smooth edge</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Assisted segmentation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Superpixel brush</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::MaskLayer</name>
    <message>
        <source>Other identifying content</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (identifying)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::MaskLayerPanel</name>
    <message>
        <source>Regions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add a potential diagnosis or tick an identifying kind to draw its region.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tick to show a region; select a row to draw on it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opacity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opacity of the selected region</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Outline only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fill holes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fill the holes of the selected region</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove specks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove the parts of the selected region smaller than the size given</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> px</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Smallest part kept, in pixels</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Smooth</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Smooth the outline of the selected region</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Smoothing radius, in pixels</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1%</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — not in labels</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: no longer among the labels; kept while it has pixels</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::MaskService</name>
    <message>
        <source>the image inside is %1 x %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unknown encoding &quot;%1&quot;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Version %1 of mask layer %2 cannot be read: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This image is not assigned to %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no image %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The stored mask %1 is %2 x %3 but the image is displayed %4 x %5.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only the author may change masks.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The masks are %1 x %2 but the image is displayed %3 x %4.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown mask layer &quot;%1&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no version %1 of mask layer %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The mask %1 is %2 x %3 but the image is displayed %4 x %5.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The labels of this image were changed elsewhere at the same time; saving again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>These regions were changed elsewhere (in another window or on another workstation) since they were read here; nothing was overwritten.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::MaskToolBar</name>
    <message>
        <source>Pan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>drag to move the image (the masks are not changed)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Brush</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>paint the selected region; Shift erases; [ and ] set the size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Eraser</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>erase from the selected region; [ and ] set the size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Polygon / Lasso</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>click vertices or drag freehand; Enter or double-click closes, Backspace removes a vertex, Esc cancels</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rectangle</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>drag a rectangle; Shift erases</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fill</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>click inside a closed outline to fill it; Shift+click clears a region</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Magic Wand</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>click to add the area of similar colour (see Tolerance); Shift removes it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Assisted (GrabCut)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>start from a box dragged around the lesion or (Strokes) from rough strokes over it; refine: drag over what belongs, right drag (or Alt+drag) over what does not; Esc ends</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Superpixel Brush</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>paint whole superpixels (similar-looking patches); Shift erases</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mask Tools</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2): %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Smaller Brush</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Larger Brush</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> px</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Brush size in image pixels ([ and ], Shift+wheel)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Brush size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tolerance </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Magic wand: how far a colour may be from the clicked one (0-255 per channel)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Magic wand tolerance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Box</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GrabCut starts from a box: drag it around the lesion, leaving some skin outside</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Strokes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GrabCut starts from rough strokes: drag over the lesion (foreground), right drag or Alt+drag over skin (background); it segments when a foreground stroke ends, or on Enter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop the segmentation (Esc)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1

Off: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a tool to draw the selected region</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drag a box around the lesion; then drag over what belongs, right drag over what does not; Esc ends</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drag over the lesion, right drag (or Alt+drag) over skin: it segments when a stroke ends (Enter runs waiting strokes); more strokes refine; Esc ends</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::MetadataStripper</name>
    <message>
        <source>Only JPEG and PNG files can be stripped of metadata losslessly; this is neither.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The JPEG has EXIF orientation %1: stripping its metadata would rotate it. Apply the orientation and re-encode it instead.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Corrupt JPEG: the JFIF segment is too short.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot encode a null image.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not encode the image as PNG: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 The profile was dropped; the colours are read as sRGB.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>An Adobe segment shorter than 12 bytes was dropped.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::MonkSwatches</name>
    <message>
        <source>Monk skin tone %1 (key M then %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Monk tone %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>N/G</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Monk skin tone not gradable (key M then N)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::NewUserDialog</name>
    <message>
        <source>Add User</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User &amp;name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>e.g. dr.okafor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Display name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>e.g. Dr. Amara Okafor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Role:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>R&amp;epeat password:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Add User</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The user name is what they type to sign in.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The password needs at least %1 characters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::OverlapTableModel</name>
    <message>
        <source>Diagnosis: top-1 agreement</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Share of rater pairs naming the same first condition, mean over images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Diagnosis: top-3 overlap</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Overlap coefficient of the raters&apos; up-to-three conditions (shared / size of the shorter list), mean over images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Region Dice: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mean Dice (2 |A ∩ B| / (|A| + |B|)) over every pair of raters who drew this region; lowest pair %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Region IoU: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mean intersection over union over every pair of raters who drew this region</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%1 in %2: %3 over %n image(s), %4 against all images</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>n %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 %2: the value over this group&apos;s images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Images of this group the value rests on</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Measure</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rater pairs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Images with at least two raters&apos; differentials (diagnoses) or regions (masks)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pairs of raters who both drew the region, over all images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mean over rater pairs; 1 is full agreement, 0 none</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::PassionReader</name>
    <message>
        <source>PASSION dataset: non-commercial use only; attribution required; any attempt to re-identify the people shown is prohibited.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not a folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 has no label.csv: is it a PASSION dataset folder?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no images/ folder; only metadata was read.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 does not follow the &lt;subject_id&gt;_&lt;n&gt; naming; skipped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>label.csv line %1: empty subject_id; row skipped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>label.csv line %1: subject %2 appears again; only the first row is used.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Subject %1: &apos;%2&apos; is not a Fitzpatrick type.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 subjects in label.csv have no images: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 images belong to subjects that label.csv does not list and were not imported: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PASSION_split.csv names %1 subjects that label.csv lacks: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::PasswordDialog</name>
    <message>
        <source>Reset Password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A new password for &lt;b&gt;%1&lt;/b&gt;. Tell it to them in person; they sign in with it from now on.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New &amp;password:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>R&amp;epeat:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Set Password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>At least %1 characters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::Permissions</name>
    <message>
        <source>The account %1 is disabled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2) is not allowed to do this.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::PngValidator</name>
    <message>
        <source>The data is not a PNG image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PNG data ends before the IEND chunk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PNG chunk structure is damaged at byte %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PNG data ends inside the %1 chunk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PNG chunk %1 at byte %2 has a bad CRC</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PNG header chunk is misplaced</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PNG file does not start with an IHDR chunk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PNG palette image has no palette</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PNG image data does not start with a valid zlib header</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PNG file has no image data</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::PolygonTool</name>
    <message>
        <source>A polygon needs at least three vertices.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::PostgresServer</name>
    <message>
        <source>Cannot reach the PostgreSQL server %1: %2. Check the host name and port, and that the server is running and accepts connections from this computer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The PostgreSQL server %1 refused the password of %2 (wrong password, or no such role).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The PostgreSQL server %1 asks for the password of %2: give it in the URL (postgresql://user:password@host/database), in PGPASSWORD or in ~/.pgpass.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no database %1 on %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The PostgreSQL server %1 does not let %2 connect to the database %3: %4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot connect to the database %1 on %2: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Qt&apos;s PostgreSQL driver (QPSQL) is not installed: install the Debian package libqt6sql6-psql.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The connection to the server was lost; the last change may not have been saved. DermLabel connects again for the next step: try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot create the database %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no database %1 on %2, and the role %3 may not create one (it lacks the CREATEDB right). Ask the server&apos;s administrator to create the database with %3 as its owner, or to grant %3 CREATEDB.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot create the database %1 on %2: %3</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::PreferencesDialog</name>
    <message>
        <source>Preferences</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fit the image to the window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep the zoom of the previous image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Actual size (100%)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Zoom on the next image:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How many of the next images are decoded in the background while you label. Each 12-megapixel photo takes about 48 MB of memory.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Decode ahead:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;The new language applies when DermLabel is restarted.&lt;/b&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A new language applies when DermLabel is restarted.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> MB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How much disk the images of team stores may take on this computer. They are downloaded from the server when needed; beyond this size the least recently used are removed (a 12-megapixel photo takes about 5 MB).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Team store image &amp;cache:</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::PyLiteral</name>
    <message>
        <source>a string</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>an integer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a float</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a boolean</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>None</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a list</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a tuple</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a dict</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>character %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>expected %1, found %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the end of the text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>nested more than %1 levels deep</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a line break</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>or</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a dict key cannot be %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>string not closed (expected a closing %1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>string not closed (it ends with a backslash)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>\%1 must be followed by %2 hexadecimal digits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>\U escape beyond U+10FFFF</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>\N{...} escapes are not supported</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a number after &apos;%1&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>malformed number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>malformed number (exponent without digits)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>number out of range</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>integer out of range</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unexpected word &apos;%1&apos; (expected a value; text must be quoted)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>character %1: expected %2, found %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>character %1: element %2 is %3, expected %4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a list of strings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a list of numbers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a dict of numbers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>character %1: key %2 is %3, expected a string</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>character %1: the value of key %2 is %3, expected a number</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::QaDashboard</name>
    <message>
        <source>Quality assurance · %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read the store again and recompute every statistic (F5)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Images rated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fields agreed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fields to adjudicate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fields adjudicated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Diagnosis top-1 agreement</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Diagnosis top-3 overlap</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Share of rater pairs naming the same first condition, mean over images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Overlap of the raters&apos; up-to-three conditions, mean over images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Overview</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Plots</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Disagreements</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>R&amp;aters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>None</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show alpha and the number of images per group next to the overall figures</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Stratify by:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Confidence intervals</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bootstrap 95% intervals of alpha and kappa (%1 replicates, seeded: the same store gives the same intervals)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Krippendorff&apos;s α:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Reference labels imported with datasets&lt;/b&gt; (items are cases; raters as given by the dataset)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show pe&amp;nding (raters still labelling)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter or double-click opens the side-by-side review.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Labels per day&lt;/b&gt; (by the day of each label&apos;s last change, UTC)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading ratings and bootstrapping…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading ratings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bootstrapping %1 replicates…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The QA dashboard cannot be shown: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Computing agreement by %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 on %2 images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Over %1 images with at least two differentials</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; fields to adjudicate on &lt;b&gt;%2&lt;/b&gt; images · %3 pending</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Disagreements (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No labels yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Faces</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Differential diagnoses and regions&lt;/b&gt; (what the raters name and where they draw it)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Review Image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confirm &amp;Face</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A face shows: the image needs an identifying face region to be exported</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Not a Face</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The check was wrong: the flag no longer holds the image back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run Face &amp;Check</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Look for frontal faces on every image (new images are checked on import)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The face check has flagged no image.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; of %2 flagged images still to review. An open flag holds the image back from export; a confirmed face needs an identifying face region, which the export covers.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Faces (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The face flag was not changed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop Face &amp;Check</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checking images for faces…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checking images for faces: %1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The face check failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::QaDataSet</name>
    <message>
        <source>Fitzpatrick type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Monk skin tone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Age group</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sex</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Country</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Body site</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Source</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Week</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The store could not be read.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::QaPlots</name>
    <message>
        <source>&amp;Field:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rater &amp;A:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rater &amp;B:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confusion of rater A and rater B</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Labels given by each rater</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Agreement over time (week of the last label change)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (dataset)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose two different raters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No images in common.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 images in common, %2 identical (%3%)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cohen&apos;s κ %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>quadratic κ %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No ratings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Other (%1 labels)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mean %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dataset labels have no time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No weeks with ratings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Percent agreement</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Krippendorff&apos;s α</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (n %2)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::RaterReportModel</name>
    <message>
        <source>%1 (disabled)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2 answered fields equal the agreed or adjudicated consensus</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rank-1 diagnosis equal to the consensus diagnosis on %1 of %2 images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rater</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Assigned</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Skipped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Flagged</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Labels / day</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Active days</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>= consensus</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Top-1 = consensus</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Assigned images not started or in progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Done of assigned</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Labels per day on the days the rater labelled (by last change, UTC)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Share of the rater&apos;s answers that equal the agreed or adjudicated consensus</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Share of images where the rater&apos;s rank-1 diagnosis is the consensus diagnosis</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::RatingsFile</name>
    <message>
        <source>%1: the header must be exactly &quot;item,rater,field,value&quot;, not &quot;%2&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, line %2: the item, rater and field must not be empty.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, line %2: rater &quot;%3&quot; already rated item &quot;%4&quot; for field &quot;%5&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::Redactor</name>
    <message>
        <source>Redaction needs an 8-bit image with 1, 3 or 4 channels.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The redaction region is %1 x %2 (type %3) but the image is %4 x %5.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot redact a null image.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::ReferenceLabelAccess</name>
    <message>
        <source>Reference labels are hidden from raters (blinded).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This image is not assigned to %1.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::ReleaseGate</name>
    <message>
        <source>Sensitive content</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Identifying content without a region to redact</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Possible face not yet reviewed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Too few raters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quasi-identifiers shared by fewer than k records</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::ReviewDialog</name>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — %2 / %3: Dice %4, IoU %5</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Majority of %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>STAPLE: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 sensitivity %2, specificity %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — STAPLE: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Review</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Masks&lt;/b&gt; (tick to show)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the value…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Required: why this value (recorded in the audit log)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Apply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Adjudicate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Field:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Value:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Reason:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only QA leads and admins settle disagreements.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>← Previous (PgUp)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Next (PgDown) →</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No such image.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading the image…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The image cannot be shown: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 × %2 pixels; wheel zooms, drag pans, F fits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No rater drew a mask on this image.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 settled as %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 rater</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 raters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>nothing open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 field open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 fields open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>disagreement %1 of %2 (Page Down: next, Page Up: previous)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not in the disagreement list</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Review %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confirm &amp;Face</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A face shows: the image needs an identifying face region to be exported</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Not a Face</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The check was wrong: the flag no longer holds the image back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 region</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 regions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Possible face&lt;/b&gt; found by the face check (%1, dashed on the image). Held back from export until confirmed or dismissed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Face confirmed.&lt;/b&gt; The image is exported only with a face region marked as identifying (redacted).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Face flag dismissed:&lt;/b&gt; no face on this image.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::ReviewTableModel</name>
    <message>
        <source>Cannot determine</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>agreed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>pending</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>to adjudicate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>adjudicated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 %2%</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>— (not asked)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 · agreed %2/%3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Differential (confidence)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Note</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Diagnosis, rank 1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Field</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Consensus</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::Role</name>
    <message>
        <source>Dermatologist</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>QA lead</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Administrator</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::RowWriter</name>
    <message>
        <source>Cannot copy rows of %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::SchemaMigrator</name>
    <message>
        <source>This file is not a DermLabel store (it holds other tables).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This store was written by a newer version of DermLabel (schema %1); this program understands schema %2 at most. Install the newer DermLabel to open it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not start the schema update: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Schema update %1 failed: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Schema update %1 (%2) failed: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Schema update %1 could not be saved: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This database is not a DermLabel store (it holds other tables).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::ScinReader</name>
    <message>
        <source>%1 is not a folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 has no scin_cases.csv: is it a SCIN dataset folder?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>scin_cases.csv line %1: empty case_id; row skipped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>scin_cases.csv line %1: case %2 appears again; only the first row is used.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>scin_labels.csv has labels for %1 cases that scin_cases.csv does not list.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::SessionService</name>
    <message>
        <source>A team store is named by a URL such as postgresql://server.example.org/dermlabel.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter your user name and password.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The user name or password is wrong, or the account is disabled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This store has its administrator already: sign in instead.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Too many failed sign-ins with this name. Try again in %n second(s).</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
</context>
<context>
    <name>dl::ShortcutSheet</name>
    <message>
        <source>Keyboard Shortcuts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keys</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Action</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> or </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Commands</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Label form (when it has the focus)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Image (when it has the focus)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>+ / −, mouse wheel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Zoom in / out around the cursor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>0 or F</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fit the image to the window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Actual size (100%)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Arrow keys, middle drag, Space+drag</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pan (and left drag with the Pan tool, H)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mask tools (when the image has the focus)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::SignInDialog</name>
    <message>
        <source>Create the administrator account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; has no users yet. Create the administrator account: it imports images, adds raters and assigns work.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign in to &lt;b&gt;%1&lt;/b&gt;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;User name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>e.g. Dr. Ana Silva</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Full name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Repeat password:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Create and Sign In</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign In</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The passwords do not match.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign in to the team store &lt;b&gt;%1&lt;/b&gt;. Your user name and password are checked by the server.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::Sql</name>
    <message>
        <source>Database error: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Database error: no id returned</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::SqlDialect</name>
    <message>
        <source>Could not configure the store (%1): %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The store could not switch to write-ahead logging (journal mode is &apos;%1&apos;). Is it on a read-only or network drive?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Foreign key enforcement is not available.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The PostgreSQL server is too old (version number %1); a team store needs PostgreSQL 10 or later.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The PostgreSQL server has standard_conforming_strings off; a team store needs it on (the default).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>index %1 is not valid (rebuild it with REINDEX)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>constraint %1 of %2 was never validated</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::Store</name>
    <message>
        <source>No store path given.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is a folder, not a store file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no store at %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 already exists.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot create the folder %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not a DermLabel store.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot open the store %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The store %1 is in use by another program (%2, process %3 on %4). Close it there first, then try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unknown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>this computer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot create the lock file beside %1 (is the folder writable?).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only a team store signs in to a server.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 Create the store first (dermlabel-cli init --store URL).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot create the image folder %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The database %1 already exists and is not empty.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::StoreBackup</name>
    <message>
        <source>A team store is backed up with &apos;dermlabel-cli migrate --from URL --to copy.dermlabel&apos;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 exists already: a backup never overwrites anything.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The backup cannot be the store itself.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot create the folder %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot read the backup %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The backup was cancelled; nothing was kept.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot copy the image file %1 to the backup.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The backup does not pass its check; nothing was kept.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::StoreChangeListener</name>
    <message>
        <source>Cannot listen to the store&apos;s changes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server does not deliver change notifications: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::StoreCopier</name>
    <message>
        <source>Cannot read %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not a DermLabel store (it holds other tables).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The target %1 holds a store with schema version %2, the source has schema version %3. A copy needs both at the same version: bring the older one up to date with this program first (dermlabel-cli init --store ... for a team store, any command for a store file), or choose another target.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The target %1 must be opened as the store&apos;s owner: a superuser, or a role with CREATEROLE that owns the database (the role that runs &apos;dermlabel-cli init&apos;), because the copy creates the users&apos; login roles.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The target %1 has schema version %2, the source %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The source has schema version %1, the target %2: a copy needs the same version.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot read the source store&apos;s secret, which keeps its pseudonyms: open it as the store&apos;s owner or an administrator.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The target %1 holds another store (%2). A migration copies a store into a new or empty one, or completes an earlier copy of the same store; it never merges two stores. Choose another target, or remove that store first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>These user names cannot become server login roles (a team store needs lower-case letters, digits, &apos;.&apos;, &apos;_&apos; or &apos;-&apos;, starting with a letter): %1. Rename or remove them in the source first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot read the source store: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write to the target store: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot prepare the target: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The table %1 has other columns in the target than in the source.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot give the user %1 a login role: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot advance the ids of %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The copy does not match the source in %1; nothing was written.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The target is an earlier copy of this store, and rows of %1 have changed since: they differ from the source, and a migration never overwrites rows. Nothing was written; remove the target and migrate again for a fresh copy.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot save the copy: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::StoreInspector</name>
    <message>
        <source>The store is being written by another program: close it first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: not in the image folder</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::StoreLocation</name>
    <message>
        <source>No store given.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is neither a store file nor a postgresql:// URL.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not a valid URL: write postgresql://user@host:port/database.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: a store URL has no #fragment.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: the port must be between 1 and 65535.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 names no database: write postgresql://host/database.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: the database name must not contain &apos;/&apos;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: the option %2 is given twice.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: the option %2 needs a value without &apos;;&apos;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: sslmode must be one of %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: connect_timeout must be a number of seconds.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: unknown option %2 (DermLabel understands sslmode, sslrootcert, connect_timeout and application_name).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::SuperpixelTool</name>
    <message>
        <source>Preparing superpixels…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The superpixels are still being prepared.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Superpixels ready: %n region(s).</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
</context>
<context>
    <name>dl::Taxonomy</name>
    <message numerus="yes">
        <source>... and %n more problem(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>synonym &quot;%1&quot; contains &apos;|&apos;, which separates synonyms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>synonym &quot;%1&quot; has no letters or digits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the id is empty</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>id &quot;%1&quot; may only contain lowercase letters a-z, digits and &apos;_&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>duplicate id &quot;%1&quot; (first used on %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>condition &quot;%1&quot; has no name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>name &quot;%1&quot; has no letters or digits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>name &quot;%1&quot; is already the name of &quot;%2&quot; (%3); names must differ in more than case, accents or punctuation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>parent &quot;%1&quot; of &quot;%2&quot; is not a condition id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>parents form a cycle: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>synonym &quot;%1&quot; of &quot;%2&quot; is the name of &quot;%3&quot; (%4); that name maps to &quot;%3&quot;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>synonym &quot;%1&quot; of &quot;%2&quot; is also a synonym of &quot;%3&quot; (%4); it maps to &quot;%3&quot;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>entry %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>entry %1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>taxonomy CSV</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>line %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: cannot open the file: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: cannot read the file: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::TaxonomyCsv</name>
    <message>
        <source>%1: the file has a header but no conditions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: column &quot;%2&quot; is not used and was ignored</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::TeamSecurity</name>
    <message>
        <source>The team store&apos;s security rules are missing from this program.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only the store&apos;s owner (a superuser, or a role with CREATEROLE that owns the database) may set up who may see what on a team store.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Database error: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot set up the team store&apos;s security: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The team store&apos;s schema is older than this program. An administrator must upgrade it first, connected as the store&apos;s owner: dermlabel-cli init --store URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no such user.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::TeamStoreDialog</name>
    <message>
        <source>Open Team Store</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A team store lives on a PostgreSQL server that your team&apos;s administrator set up. Enter the address they gave you; you sign in next.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Address:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The connection is encrypted whenever the server offers it. To also check the server&apos;s certificate, end the address with &lt;tt style=&quot;white-space: nowrap&quot;&gt;?sslmode=verify-full&lt;/tt&gt;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Continue</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::ThumbnailMaker</name>
    <message>
        <source>The image header given does not match the image data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The thumbnail could not be encoded</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::Transaction</name>
    <message>
        <source>The store is busy: another program keeps writing to it. Try again in a moment.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::UserRepository</name>
    <message>
        <source>&apos;%1&apos; is not a valid user name: use 1 to 64 letters, digits, &apos;.&apos;, &apos;_&apos; or &apos;-&apos;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The password must have at least %1 characters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is already a user named &apos;%1&apos;.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::UserService</name>
    <message>
        <source>The signed-in user %1 is not in this store.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no such user.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is the last active administrator. Make another user an administrator first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is already disabled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>The password must have at least %n character(s).</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
</context>
<context>
    <name>dl::UserTableModel</name>
    <message>
        <source>active</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>disabled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 assigned, %2 done, %3 to do</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Display name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Role</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Active</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Assigned</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Done</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::UsersDialog</name>
    <message>
        <source>Users</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Add…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add a dermatologist, QA lead or administrator (Ctrl+N)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reset &amp;Password…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give the selected user a new password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Disable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disable the selected account; unfinished work goes to other dermatologists</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Role</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Change the selected user&apos;s role</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Enable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Let the selected user sign in again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Added %1 (%2).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The password of %1 was changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 can sign in again. Use Admin › Assign Images to give them new work.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is disabled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unstarted images moved to other dermatologists: %1; new assignments: %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Images with fewer raters than wanted: %1 (add or enable dermatologists).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is now %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unstarted images moved to other dermatologists: %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disable User</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disable %1 (%2)?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>They can no longer sign in. Images they have not finished (%1) go to other dermatologists, so that every image keeps its number of raters; the labels they finished (%2) are kept.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>They can no longer sign in.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dl::ValueText</name>
    <message>
        <source>Not gradable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot determine</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Yes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unsure</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>DermLabel: annotation workstation for de-identified dermatology images.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open this store.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PATH</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
