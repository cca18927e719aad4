<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="sw_TZ">
<context>
    <name>dl</name>
    <message>
        <source>There is not enough memory for this operation; nothing more was done.</source>
        <translation>Hakuna kumbukumbu ya kutosha kwa operesheni hii; hakuna kingine kilichofanywa.</translation>
    </message>
    <message>
        <source>The image processing library reported an error; nothing more was done: %1</source>
        <translation>Maktaba ya uchakataji wa picha iliripoti hitilafu; hakuna kingine kilichofanywa: %1</translation>
    </message>
    <message>
        <source>An unexpected error stopped this operation; nothing more was done: %1</source>
        <translation>Hitilafu isiyotarajiwa ilisimamisha operesheni hii; hakuna kingine kilichofanywa: %1</translation>
    </message>
    <message>
        <source>An unexpected error stopped this operation; nothing more was done.</source>
        <translation>Hitilafu isiyotarajiwa ilisimamisha operesheni hii; hakuna kingine kilichofanywa.</translation>
    </message>
    <message>
        <source>the folder is not empty and holds no manifest.json</source>
        <translation>folda si tupu na haina manifest.json</translation>
    </message>
    <message>
        <source>its manifest.json is too large to be a bundle&apos;s</source>
        <translation>manifest.json yake ni kubwa mno kuwa ya kifurushi</translation>
    </message>
    <message>
        <source>its manifest.json was not written by DermLabel</source>
        <translation>manifest.json yake haikuandikwa na DermLabel</translation>
    </message>
    <message>
        <source>it holds %1, which its manifest does not list</source>
        <translation>ina %1, ambayo manifesti yake haiorodheshi</translation>
    </message>
    <message>
        <source>the file is not a zip archive</source>
        <translation>faili si kumbukumbu ya zip</translation>
    </message>
    <message>
        <source>the archive holds no manifest.json</source>
        <translation>kumbukumbu haina manifest.json</translation>
    </message>
    <message>
        <source>its manifest.json cannot be read</source>
        <translation>manifest.json yake haisomeki</translation>
    </message>
    <message>
        <source>tag %1 has the type %2</source>
        <translation>tagi %1 ina aina %2</translation>
    </message>
    <message>
        <source>tag %1 (%2) is too short</source>
        <translation>tagi %1 (%2) ni fupi mno</translation>
    </message>
    <message>
        <source>tag %1 has the unknown parametric curve type %2</source>
        <translation>tagi %1 ina aina isiyojulikana ya mkunjo wa kipimo %2</translation>
    </message>
    <message>
        <source>Not valid JSON: %1 at offset %2.</source>
        <translation>JSON si sahihi: %1 katika nafasi %2.</translation>
    </message>
    <message>
        <source>A LabelMe file must be a JSON object.</source>
        <translation>Faili ya LabelMe lazima iwe kitu cha JSON.</translation>
    </message>
    <message>
        <source>The LabelMe file has no &quot;imagePath&quot;.</source>
        <translation>Faili ya LabelMe haina &quot;imagePath&quot;.</translation>
    </message>
    <message>
        <source>The LabelMe file needs a positive integer &quot;imageWidth&quot; and &quot;imageHeight&quot;.</source>
        <translation>Faili ya LabelMe inahitaji &quot;imageWidth&quot; na &quot;imageHeight&quot; ambazo ni namba kamili chanya.</translation>
    </message>
    <message>
        <source>Not a JPEG file (no SOI marker).</source>
        <translation>Si faili ya JPEG (hakuna alama ya SOI).</translation>
    </message>
    <message>
        <source>The JPEG file is truncated: it ends without an EOI marker.</source>
        <translation>Faili ya JPEG imekatika: inaishia bila alama ya EOI.</translation>
    </message>
    <message>
        <source>Corrupt JPEG: expected a marker at offset %1, found byte %2.</source>
        <translation>JPEG iliyoharibika: alama ilitarajiwa katika nafasi %1, baiti %2 imepatikana.</translation>
    </message>
    <message>
        <source>The JPEG file is truncated: it ends inside a marker.</source>
        <translation>Faili ya JPEG imekatika: inaishia ndani ya alama.</translation>
    </message>
    <message>
        <source>Corrupt JPEG: unexpected marker %1 at offset %2.</source>
        <translation>JPEG iliyoharibika: alama isiyotarajiwa %1 katika nafasi %2.</translation>
    </message>
    <message>
        <source>Corrupt JPEG: EOI before any scan.</source>
        <translation>JPEG iliyoharibika: EOI kabla ya skani yoyote.</translation>
    </message>
    <message>
        <source>The JPEG file is truncated: segment %1 at offset %2 is cut short.</source>
        <translation>Faili ya JPEG imekatika: sehemu %1 katika nafasi %2 imekatwa.</translation>
    </message>
    <message>
        <source>Corrupt JPEG: segment %1 at offset %2 has the invalid length %3.</source>
        <translation>JPEG iliyoharibika: sehemu %1 katika nafasi %2 ina urefu usio sahihi %3.</translation>
    </message>
    <message>
        <source>The JPEG file is truncated: segment %1 at offset %2 needs %3 bytes, %4 are left.</source>
        <translation>Faili ya JPEG imekatika: sehemu %1 katika nafasi %2 inahitaji baiti %3, zimebaki %4.</translation>
    </message>
    <message>
        <source>Corrupt JPEG: a scan (SOS) before the frame header (SOF).</source>
        <translation>JPEG iliyoharibika: skani (SOS) kabla ya kichwa cha fremu (SOF).</translation>
    </message>
    <message>
        <source>The JPEG file is truncated: the scan data starting at offset %1 does not end in a marker.</source>
        <translation>Faili ya JPEG imekatika: data ya skani inayoanzia nafasi %1 haiishii kwa alama.</translation>
    </message>
    <message>
        <source>The JPEG file is truncated: it ends inside the scan data.</source>
        <translation>Faili ya JPEG imekatika: inaishia ndani ya data ya skani.</translation>
    </message>
    <message>
        <source>Malformed ICC profile: an APP2 chunk without sequence number and count.</source>
        <translation>Profaili ya ICC iliyoharibika: kipande cha APP2 bila namba ya mfuatano na idadi.</translation>
    </message>
    <message>
        <source>Malformed ICC profile: its APP2 chunks are not numbered 1 to %1 once each.</source>
        <translation>Profaili ya ICC iliyoharibika: vipande vyake vya APP2 havijapewa namba 1 hadi %1 mara moja kila kimoja.</translation>
    </message>
    <message>
        <source>Malformed ICC profile: %1 of its %2 APP2 chunks are present.</source>
        <translation>Profaili ya ICC iliyoharibika: vipande %1 kati ya %2 vya APP2 vipo.</translation>
    </message>
    <message>
        <source>Malformed ICC profile: larger than %1 bytes.</source>
        <translation>Profaili ya ICC iliyoharibika: kubwa kuliko baiti %1.</translation>
    </message>
    <message>
        <source>Malformed ICC profile: too large for 255 APP2 chunks.</source>
        <translation>Profaili ya ICC iliyoharibika: kubwa mno kwa vipande 255 vya APP2.</translation>
    </message>
    <message>
        <source>Not a PNG file (no PNG signature).</source>
        <translation>Si faili ya PNG (hakuna saini ya PNG).</translation>
    </message>
    <message>
        <source>The PNG file is truncated: it ends without an IEND chunk.</source>
        <translation>Faili ya PNG imekatika: inaishia bila kipande cha IEND.</translation>
    </message>
    <message>
        <source>Corrupt PNG: invalid chunk type at offset %1.</source>
        <translation>PNG iliyoharibika: aina ya kipande si sahihi katika nafasi %1.</translation>
    </message>
    <message>
        <source>Corrupt PNG: chunk %1 at offset %2 has the invalid length %3.</source>
        <translation>PNG iliyoharibika: kipande %1 katika nafasi %2 kina urefu usio sahihi %3.</translation>
    </message>
    <message>
        <source>The PNG file is truncated: chunk %1 at offset %2 is cut short.</source>
        <translation>Faili ya PNG imekatika: kipande %1 katika nafasi %2 kimekatwa.</translation>
    </message>
    <message>
        <source>Corrupt PNG: the first chunk is not a 13-byte IHDR.</source>
        <translation>PNG iliyoharibika: kipande cha kwanza si IHDR ya baiti 13.</translation>
    </message>
    <message>
        <source>Unsupported PNG: unknown critical chunk %1.</source>
        <translation>PNG isiyoungwa mkono: kipande muhimu kisichojulikana %1.</translation>
    </message>
    <message>
        <source>Corrupt PNG: the CRC of chunk %1 at offset %2 is wrong.</source>
        <translation>PNG iliyoharibika: CRC ya kipande %1 katika nafasi %2 si sahihi.</translation>
    </message>
    <message>
        <source>Corrupt PNG: a second IHDR chunk.</source>
        <translation>PNG iliyoharibika: kipande cha pili cha IHDR.</translation>
    </message>
    <message>
        <source>Corrupt PNG: no IDAT chunk before IEND.</source>
        <translation>PNG iliyoharibika: hakuna kipande cha IDAT kabla ya IEND.</translation>
    </message>
    <message>
        <source>Cannot start zlib.</source>
        <translation>Imeshindwa kuanzisha zlib.</translation>
    </message>
    <message>
        <source>Malformed ICC profile: it inflates to more than %1 bytes.</source>
        <translation>Profaili ya ICC iliyoharibika: ikifunguliwa inazidi baiti %1.</translation>
    </message>
    <message>
        <source>Malformed ICC profile: its compressed data is corrupt or cut short.</source>
        <translation>Profaili ya ICC iliyoharibika: data yake iliyobanwa imeharibika au imekatika.</translation>
    </message>
    <message>
        <source>Malformed ICC profile: the iCCP chunk has no valid name.</source>
        <translation>Profaili ya ICC iliyoharibika: kipande cha iCCP hakina jina sahihi.</translation>
    </message>
    <message>
        <source>Malformed ICC profile: unknown iCCP compression method %1.</source>
        <translation>Profaili ya ICC iliyoharibika: mbinu isiyojulikana ya kubana iCCP %1.</translation>
    </message>
    <message>
        <source>Cannot compress the ICC profile.</source>
        <translation>Imeshindwa kubana profaili ya ICC.</translation>
    </message>
    <message>
        <source> and %1 more</source>
        <translation> na %1 zaidi</translation>
    </message>
    <message>
        <source>Case %1, column %2: %3</source>
        <translation>Kesi %1, safu wima %2: %3</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a Fitzpatrick type; kept as an attribute only.</source>
        <translation>&apos;%1&apos; si aina ya ngozi ya Fitzpatrick; imehifadhiwa kama sifa tu.</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a Monk skin tone.</source>
        <translation>&apos;%1&apos; si rangi ya ngozi ya Monk.</translation>
    </message>
    <message>
        <source>Field &quot;%1&quot; is %2, so its values must be numbers, but item &quot;%3&quot; has the value &quot;%4&quot; (rater &quot;%5&quot;).</source>
        <translation>Sehemu &quot;%1&quot; ni %2, kwa hiyo thamani zake lazima ziwe namba, lakini kipengele &quot;%3&quot; kina thamani &quot;%4&quot; (mtathmini &quot;%5&quot;).</translation>
    </message>
    <message>
        <source>No item has two or more ratings.</source>
        <translation>Hakuna kipengele chenye tathmini mbili au zaidi.</translation>
    </message>
    <message>
        <source>Items have different numbers of ratings (%1 to %2); Fleiss&apos; kappa needs the same number for every item.</source>
        <translation>Vipengele vina idadi tofauti za tathmini (%1 hadi %2); kappa ya Fleiss inahitaji idadi sawa kwa kila kipengele.</translation>
    </message>
    <message>
        <source>Only one category was used, so chance agreement is 1 and kappa is undefined.</source>
        <translation>Kundi moja tu lilitumika, kwa hiyo makubaliano ya bahati ni 1 na kappa haijafafanuliwa.</translation>
    </message>
    <message>
        <source>the local PostgreSQL server</source>
        <translation>seva ya PostgreSQL ya hapa</translation>
    </message>
    <message>
        <source>(your login name)</source>
        <translation>(jina lako la kuingia)</translation>
    </message>
    <message>
        <source>The table %1 is missing from the store %2.</source>
        <translation>Jedwali %1 halipo kwenye hifadhi %2.</translation>
    </message>
    <message>
        <source>The table %1 has no primary key to copy it by.</source>
        <translation>Jedwali %1 halina ufunguo mkuu wa kulinakili.</translation>
    </message>
</context>
<context>
    <name>dl::AgreementReport</name>
    <message>
        <source>%1: no ratings for the field(s) given a level: %2.</source>
        <translation>%1: hakuna tathmini kwa sehemu zilizopewa kiwango: %2.</translation>
    </message>
</context>
<context>
    <name>dl::AgreementTableModel</name>
    <message>
        <source>good (α ≥ 0.800)</source>
        <translation>nzuri (α ≥ 0.800)</translation>
    </message>
    <message>
        <source>tentative (0.667 ≤ α &lt; 0.800)</source>
        <translation>ya muda (0.667 ≤ α &lt; 0.800)</translation>
    </message>
    <message>
        <source>poor (α &lt; 0.667)</source>
        <translation>dhaifu (α &lt; 0.667)</translation>
    </message>
    <message>
        <source>not computable</source>
        <translation>haiwezi kukokotolewa</translation>
    </message>
    <message>
        <source>%1 images with at least two ratings; %2 ratings on them</source>
        <translation>picha %1 zenye angalau tathmini mbili; tathmini %2 juu yake</translation>
    </message>
    <message>
        <source>Krippendorff&apos;s alpha (%1): %2</source>
        <translation>Alpha ya Krippendorff (%1): %2</translation>
    </message>
    <message>
        <source>Bootstrap percentile interval, %1 replicates</source>
        <translation>Kipindi cha asilimia cha bootstrap, marudio %1</translation>
    </message>
    <message>
        <source>Press “Confidence intervals” to run the bootstrap</source>
        <translation>Bonyeza “Vipindi vya uhakika” ili kuendesha bootstrap</translation>
    </message>
    <message>
        <source>%1 / %2: %3 (%4 images)</source>
        <translation>%1 / %2: %3 (picha %4)</translation>
    </message>
    <message>
        <source>%1 %2: %3 images rated, %4 with at least two ratings</source>
        <translation>%1 %2: picha %3 zimetathminiwa, %4 zenye angalau tathmini mbili</translation>
    </message>
    <message>
        <source>Krippendorff&apos;s alpha for %1 %2</source>
        <translation>Alpha ya Krippendorff kwa %1 %2</translation>
    </message>
    <message>
        <source>Images with at least two ratings for %1 %2</source>
        <translation>Picha zenye angalau tathmini mbili kwa %1 %2</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>Sehemu</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>Kiwango</translation>
    </message>
    <message>
        <source>Cases</source>
        <translation>Kesi</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>Picha</translation>
    </message>
    <message>
        <source>Raters</source>
        <translation>Watathmini</translation>
    </message>
    <message>
        <source>Agreement</source>
        <translation>Makubaliano</translation>
    </message>
    <message>
        <source>Fleiss κ</source>
        <translation>κ ya Fleiss</translation>
    </message>
    <message>
        <source>α</source>
        <translation>α</translation>
    </message>
    <message>
        <source>α 95% CI</source>
        <translation>CI 95% ya α</translation>
    </message>
    <message>
        <source>Mean pair κ</source>
        <translation>Wastani wa κ wa jozi</translation>
    </message>
    <message>
        <source>Cases with at least two ratings</source>
        <translation>Kesi zenye angalau tathmini mbili</translation>
    </message>
    <message>
        <source>Images with at least two ratings</source>
        <translation>Picha zenye angalau tathmini mbili</translation>
    </message>
    <message>
        <source>Percent agreement: mean share of agreeing rater pairs per image</source>
        <translation>Asilimia ya makubaliano: wastani wa sehemu ya jozi za watathmini wanaokubaliana kwa kila picha</translation>
    </message>
    <message>
        <source>Fleiss&apos; kappa (only when every image has the same number of ratings)</source>
        <translation>Kappa ya Fleiss (tu ikiwa kila picha ina idadi sawa ya tathmini)</translation>
    </message>
    <message>
        <source>Krippendorff&apos;s alpha at the field&apos;s level of measurement</source>
        <translation>Alpha ya Krippendorff katika kiwango cha kipimo cha sehemu</translation>
    </message>
    <message>
        <source>95% bootstrap confidence interval of alpha (seeded, reproducible)</source>
        <translation>Kipindi cha uhakika cha bootstrap cha 95% cha alpha (kwa mbegu, kinarudiwa)</translation>
    </message>
    <message>
        <source>Mean Cohen&apos;s kappa over rater pairs; quadratic-weighted for ordinal fields</source>
        <translation>Wastani wa kappa ya Cohen juu ya jozi za watathmini; yenye uzito wa kipeo cha pili kwa sehemu za mpangilio</translation>
    </message>
</context>
<context>
    <name>dl::AnnotationService</name>
    <message>
        <source>This image is not assigned to %1.</source>
        <translation>Picha hii haijagawiwa kwa %1.</translation>
    </message>
    <message>
        <source>Unknown reason for not gradable: %1</source>
        <translation>Sababu isiyojulikana ya kutotathminika: %1</translation>
    </message>
    <message>
        <source>Visible skin condition must be yes, no or unsure.</source>
        <translation>Ugonjwa wa ngozi unaoonekana lazima uwe ndiyo, hapana au sina uhakika.</translation>
    </message>
    <message>
        <source>Unknown kind of identifying content: %1</source>
        <translation>Aina isiyojulikana ya maudhui yanayotambulisha: %1</translation>
    </message>
    <message>
        <source>At most %1 potential diagnoses.</source>
        <translation>Utambuzi unaowezekana usiozidi %1.</translation>
    </message>
    <message>
        <source>Each potential diagnosis must be a different condition.</source>
        <translation>Kila utambuzi unaowezekana lazima uwe ugonjwa tofauti.</translation>
    </message>
    <message>
        <source>Confidence must be from 1 to 5.</source>
        <translation>Uhakika lazima uwe kutoka 1 hadi 5.</translation>
    </message>
    <message>
        <source>&apos;Cannot determine&apos; excludes potential diagnoses.</source>
        <translation>&apos;Haiwezi kubainishwa&apos; haijumuishi utambuzi unaowezekana.</translation>
    </message>
    <message>
        <source>Fitzpatrick type must be I to VI or not gradable.</source>
        <translation>Aina ya ngozi ya Fitzpatrick lazima iwe I hadi VI au isiyotathminika.</translation>
    </message>
    <message>
        <source>Monk skin tone must be 1 to 10 or not gradable.</source>
        <translation>Rangi ya ngozi ya Monk lazima iwe 1 hadi 10 au isiyotathminika.</translation>
    </message>
    <message>
        <source>Only the author may change an annotation.</source>
        <translation>Mwandishi pekee ndiye anayeweza kubadilisha maelezo.</translation>
    </message>
    <message>
        <source>These labels were changed elsewhere (in another window or on another workstation) since they were read here; nothing was overwritten.</source>
        <translation>Lebo hizi zilibadilishwa kwingine (katika dirisha lingine au kwenye kituo kingine cha kazi) tangu zisomwe hapa; hakuna kilichoandikwa juu yake.</translation>
    </message>
    <message>
        <source>Unknown status %1.</source>
        <translation>Hali isiyojulikana %1.</translation>
    </message>
</context>
<context>
    <name>dl::AssignDialog</name>
    <message>
        <source>Assign Images</source>
        <translation>Gawa Picha</translation>
    </message>
    <message>
        <source>Every image is labelled independently by K different dermatologists. New assignments go to whoever has the least work; nobody gets an image twice.</source>
        <translation>Kila picha inawekewa lebo kwa kujitegemea na madaktari wa ngozi K tofauti. Migawo mipya inaenda kwa yule mwenye kazi kidogo zaidi; hakuna anayepata picha mara mbili.</translation>
    </message>
    <message>
        <source> dermatologists</source>
        <translation> madaktari wa ngozi</translation>
    </message>
    <message>
        <source>&amp;Raters per image (K):</source>
        <translation>&amp;Watathmini kwa kila picha (K):</translation>
    </message>
    <message>
        <source>A&amp;ll images</source>
        <translation>Picha &amp;zote</translation>
    </message>
    <message>
        <source>Only images with &amp;fewer than K raters</source>
        <translation>Picha zenye watathmini &amp;pungufu ya K tu</translation>
    </message>
    <message>
        <source>Scope:</source>
        <translation>Upeo:</translation>
    </message>
    <message>
        <source>&amp;Dermatologists taking part (Space toggles):</source>
        <translation>Madaktari wa &amp;ngozi wanaoshiriki (Space huwasha/huzima):</translation>
    </message>
    <message>
        <source>Dermatologist</source>
        <translation>Daktari wa ngozi</translation>
    </message>
    <message>
        <source>Assigned now</source>
        <translation>Waliogawiwa sasa</translation>
    </message>
    <message>
        <source>To add</source>
        <translation>Wa kuongeza</translation>
    </message>
    <message>
        <source>After</source>
        <translation>Baadaye</translation>
    </message>
    <message>
        <source>&amp;Assign</source>
        <translation>&amp;Gawa</translation>
    </message>
    <message>
        <source>Choose at least one dermatologist.</source>
        <translation>Chagua angalau daktari mmoja wa ngozi.</translation>
    </message>
    <message>
        <source>Every image already has %1 raters.</source>
        <translation>Kila picha tayari ina watathmini %1.</translation>
    </message>
    <message>
        <source>Nothing to add to the %1 images in scope.</source>
        <translation>Hakuna cha kuongeza kwa picha %1 zilizo katika upeo.</translation>
    </message>
    <message>
        <source>%1 new assignments over %2 images in scope.</source>
        <translation>Migawo mipya %1 kwenye picha %2 zilizo katika upeo.</translation>
    </message>
    <message>
        <source>%1 images cannot reach %2 raters with the dermatologists chosen.</source>
        <translation>Picha %1 haziwezi kufikia watathmini %2 kwa madaktari wa ngozi waliochaguliwa.</translation>
    </message>
</context>
<context>
    <name>dl::AssignmentService</name>
    <message>
        <source>Each image needs at least one rater.</source>
        <translation>Kila picha inahitaji angalau mtathmini mmoja.</translation>
    </message>
    <message>
        <source>%1 raters per image were asked for, but there are only %2 active annotators.</source>
        <translation>Watathmini %1 kwa kila picha waliombwa, lakini kuna waweka lebo hai %2 tu.</translation>
    </message>
    <message>
        <source>Choose at least one active annotator to assign images to.</source>
        <translation>Chagua angalau mweka lebo mmoja hai wa kumgawia picha.</translation>
    </message>
    <message>
        <source>Only the work of a disabled rater, or of one who is no longer a dermatologist, is moved.</source>
        <translation>Kazi ya mtathmini aliyezimwa tu, au ambaye si daktari wa ngozi tena, ndiyo huhamishwa.</translation>
    </message>
</context>
<context>
    <name>dl::BundleExporter</name>
    <message>
        <source>a mask layer cannot be read.</source>
        <translation>tabaka la maski halisomeki.</translation>
    </message>
    <message>
        <source>Image %1: %2</source>
        <translation>Picha %1: %2</translation>
    </message>
    <message>
        <source>a mask does not have the image&apos;s size.</source>
        <translation>maski haina ukubwa wa picha.</translation>
    </message>
    <message>
        <source>the masks of %1 differ in size.</source>
        <translation>maski za %1 zina ukubwa tofauti.</translation>
    </message>
    <message>
        <source>No output path given.</source>
        <translation>Hakuna njia ya matokeo iliyotolewa.</translation>
    </message>
    <message>
        <source>DermLabel label bundle</source>
        <translation>Kifurushi cha lebo cha DermLabel</translation>
    </message>
    <message>
        <source>Export cancelled; nothing was written.</source>
        <translation>Uhamishaji umeghairiwa; hakuna kilichoandikwa.</translation>
    </message>
    <message>
        <source>The export could not be recorded in the audit log, so nothing was exported: %1</source>
        <translation>Uhamishaji haukuweza kurekodiwa katika kumbukumbu ya ukaguzi, kwa hiyo hakuna kilichohamishwa: %1</translation>
    </message>
</context>
<context>
    <name>dl::BundleVerifier</name>
    <message>
        <source>%1 is not a readable zip archive: %2</source>
        <translation>%1 si kumbukumbu ya zip inayosomeka: %2</translation>
    </message>
    <message>
        <source>%1 does not exist.</source>
        <translation>%1 haipo.</translation>
    </message>
    <message>
        <source>manifest.json cannot be read: %1</source>
        <translation>manifest.json haisomeki: %1</translation>
    </message>
    <message>
        <source>manifest.json is not a JSON object: %1</source>
        <translation>manifest.json si kitu cha JSON: %1</translation>
    </message>
    <message>
        <source>manifest.json has an unknown format_version (this program reads 1 to %1).</source>
        <translation>manifest.json ina format_version isiyojulikana (programu hii inasoma 1 hadi %1).</translation>
    </message>
    <message>
        <source>manifest.json has no &quot;files&quot; list.</source>
        <translation>manifest.json haina orodha ya &quot;files&quot;.</translation>
    </message>
    <message>
        <source>manifest.json: files[%1] needs a path, a size and a sha256.</source>
        <translation>manifest.json: files[%1] inahitaji path, size na sha256.</translation>
    </message>
    <message>
        <source>manifest.json: files[%1]: %2</source>
        <translation>manifest.json: files[%1]: %2</translation>
    </message>
    <message>
        <source>manifest.json lists %1 twice.</source>
        <translation>manifest.json inaorodhesha %1 mara mbili.</translation>
    </message>
    <message>
        <source>%1 is missing.</source>
        <translation>%1 haipo.</translation>
    </message>
    <message>
        <source>%1 cannot be read: %2</source>
        <translation>%1 haisomeki: %2</translation>
    </message>
    <message>
        <source>%1 has %2 bytes; the manifest says %3.</source>
        <translation>%1 ina baiti %2; manifesti inasema %3.</translation>
    </message>
    <message>
        <source>%1 does not match its SHA-256 in the manifest.</source>
        <translation>%1 hailingani na SHA-256 yake katika manifesti.</translation>
    </message>
    <message>
        <source>%1 is in the bundle but not in the manifest.</source>
        <translation>%1 iko kwenye kifurushi lakini si kwenye manifesti.</translation>
    </message>
</context>
<context>
    <name>dl::BundleWriter</name>
    <message>
        <source>Invalid path in bundle &quot;%1&quot;: %2</source>
        <translation>Njia si sahihi kwenye kifurushi &quot;%1&quot;: %2</translation>
    </message>
    <message>
        <source>empty</source>
        <translation>tupu</translation>
    </message>
    <message>
        <source>absolute</source>
        <translation>kamili</translation>
    </message>
    <message>
        <source>contains a backslash, colon or control character</source>
        <translation>ina mkwaju wa nyuma, nukta mbili au herufi ya udhibiti</translation>
    </message>
    <message>
        <source>empty, &quot;.&quot; or &quot;..&quot; component</source>
        <translation>kijenzi tupu, &quot;.&quot; au &quot;..&quot;</translation>
    </message>
    <message>
        <source>reserved for the manifest</source>
        <translation>imetengwa kwa manifesti</translation>
    </message>
    <message>
        <source>it is a symbolic link</source>
        <translation>ni kiungo cha ishara</translation>
    </message>
    <message>
        <source>it is neither a folder nor a file</source>
        <translation>si folda wala faili</translation>
    </message>
    <message>
        <source>%1 is not a bundle written by DermLabel (%2). Nothing was replaced or deleted; choose a new path, an empty folder or a previous bundle.</source>
        <translation>%1 si kifurushi kilichoandikwa na DermLabel (%2). Hakuna kilichobadilishwa au kufutwa; chagua njia mpya, folda tupu au kifurushi cha awali.</translation>
    </message>
    <message>
        <source>A bundle is already being written to %1.</source>
        <translation>Kifurushi tayari kinaandikwa kwenye %1.</translation>
    </message>
    <message>
        <source>No output path given.</source>
        <translation>Hakuna njia ya matokeo iliyotolewa.</translation>
    </message>
    <message>
        <source>%1 already exists; choose another path or allow overwriting.</source>
        <translation>%1 tayari ipo; chagua njia nyingine au ruhusu kuandika juu yake.</translation>
    </message>
    <message>
        <source>Cannot create the folder %1.</source>
        <translation>Imeshindwa kuunda folda %1.</translation>
    </message>
    <message>
        <source>Cannot create the temporary folder %1.</source>
        <translation>Imeshindwa kuunda folda ya muda %1.</translation>
    </message>
    <message>
        <source>Cannot find a free temporary name next to %1.</source>
        <translation>Imeshindwa kupata jina la muda lililo huru karibu na %1.</translation>
    </message>
    <message>
        <source>No bundle is open.</source>
        <translation>Hakuna kifurushi kilichofunguliwa.</translation>
    </message>
    <message>
        <source>%1 was already added to the bundle.</source>
        <translation>%1 tayari iliongezwa kwenye kifurushi.</translation>
    </message>
    <message>
        <source>%1 is already a folder in the bundle.</source>
        <translation>%1 tayari ni folda kwenye kifurushi.</translation>
    </message>
    <message>
        <source>%1 is already a file in the bundle.</source>
        <translation>%1 tayari ni faili kwenye kifurushi.</translation>
    </message>
    <message>
        <source>Cannot create the folder for %1.</source>
        <translation>Imeshindwa kuunda folda ya %1.</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>Imeshindwa kuandika %1: %2</translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>Imeshindwa kusoma %1: %2</translation>
    </message>
    <message>
        <source>The manifest extras may not set &quot;files&quot;, &quot;format_version&quot; or &quot;generator&quot;.</source>
        <translation>Nyongeza za manifesti haziwezi kuweka &quot;files&quot;, &quot;format_version&quot; au &quot;generator&quot;.</translation>
    </message>
    <message>
        <source>Files are still being added to the bundle.</source>
        <translation>Faili bado zinaongezwa kwenye kifurushi.</translation>
    </message>
    <message>
        <source>Cannot create the archive %1: %2</source>
        <translation>Imeshindwa kuunda kumbukumbu %1: %2</translation>
    </message>
    <message>
        <source>Cannot add %1 to the archive: %2</source>
        <translation>Imeshindwa kuongeza %1 kwenye kumbukumbu: %2</translation>
    </message>
    <message>
        <source>Cannot write the archive %1: %2</source>
        <translation>Imeshindwa kuandika kumbukumbu %1: %2</translation>
    </message>
    <message>
        <source>Cannot move the bundle to %1: %2</source>
        <translation>Imeshindwa kuhamisha kifurushi hadi %1: %2</translation>
    </message>
    <message>
        <source>Cannot replace %1: %2</source>
        <translation>Imeshindwa kubadilisha %1: %2</translation>
    </message>
    <message>
        <source>Cannot move the existing %1 aside: %2</source>
        <translation>Imeshindwa kuweka kando %1 iliyopo: %2</translation>
    </message>
</context>
<context>
    <name>dl::CaseContextBar</name>
    <message>
        <source>&lt;i&gt;This image belongs to no case.&lt;/i&gt;</source>
        <translation>&lt;i&gt;Picha hii si ya kesi yoyote.&lt;/i&gt;</translation>
    </message>
    <message>
        <source>This image</source>
        <translation>Picha hii</translation>
    </message>
    <message>
        <source>Another image of the same case</source>
        <translation>Picha nyingine ya kesi hiyo hiyo</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>Umri</translation>
    </message>
    <message>
        <source>1 year</source>
        <translation>mwaka 1</translation>
    </message>
    <message>
        <source>%1 years</source>
        <translation>miaka %1</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>Jinsia</translation>
    </message>
    <message>
        <source>Body site</source>
        <translation>Sehemu ya mwili</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>Muda</translation>
    </message>
    <message>
        <source>Symptoms</source>
        <translation>Dalili</translation>
    </message>
    <message>
        <source>&lt;i&gt;No case details.&lt;/i&gt;</source>
        <translation>&lt;i&gt;Hakuna maelezo ya kesi.&lt;/i&gt;</translation>
    </message>
    <message>
        <source>1 region</source>
        <translation>eneo 1</translation>
    </message>
    <message>
        <source>%1 regions</source>
        <translation>maeneo %1</translation>
    </message>
    <message>
        <source>&lt;b&gt;Face confirmed&lt;/b&gt; by QA (%1). Tick &lt;i&gt;Identifying: face&lt;/i&gt; and mark its region so it is covered on export.</source>
        <translation>&lt;b&gt;Uso umethibitishwa&lt;/b&gt; na ubora (%1). Weka alama &lt;i&gt;Kinachotambulisha: uso&lt;/i&gt; na uweke alama eneo lake ili lifunikwe wakati wa kuhamisha.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Possible face&lt;/b&gt; found by the face check (%1). If a face shows, tick &lt;i&gt;Identifying: face&lt;/i&gt; and mark its region; QA confirms or dismisses the flag.</source>
        <translation>&lt;b&gt;Uso unaowezekana&lt;/b&gt; umepatikana na ukaguzi wa nyuso (%1). Ikiwa uso unaonekana, weka alama &lt;i&gt;Kinachotambulisha: uso&lt;/i&gt; na uweke alama eneo lake; ubora huthibitisha au hukataa alama hiyo.</translation>
    </message>
    <message>
        <source>The frontal-face check flags images for suitability review; an image with an open flag is held back from export.</source>
        <translation>Ukaguzi wa nyuso za mbele huwekea picha alama kwa ajili ya mapitio ya kufaa; picha yenye alama iliyo wazi huzuiwa isihamishwe.</translation>
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
        <translation>Marejeo (hifadhi ya mafunzo)</translation>
    </message>
</context>
<context>
    <name>dl::CocoReader</name>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>Imeshindwa kusoma %1: %2</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>Not valid JSON: %1 at offset %2.</source>
        <translation>JSON si sahihi: %1 katika nafasi %2.</translation>
    </message>
    <message>
        <source>A COCO file must be a JSON object.</source>
        <translation>Faili ya COCO lazima iwe kitu cha JSON.</translation>
    </message>
    <message>
        <source>The COCO file has no &quot;%1&quot; array.</source>
        <translation>Faili ya COCO haina safu &quot;%1&quot;.</translation>
    </message>
    <message>
        <source>%1 has no integer &quot;id&quot;.</source>
        <translation>%1 haina &quot;id&quot; ya namba kamili.</translation>
    </message>
    <message>
        <source>%1 has no &quot;file_name&quot;.</source>
        <translation>%1 haina &quot;file_name&quot;.</translation>
    </message>
    <message>
        <source>%1 needs a positive integer &quot;width&quot; and &quot;height&quot;.</source>
        <translation>%1 inahitaji &quot;width&quot; na &quot;height&quot; ambazo ni namba kamili chanya.</translation>
    </message>
    <message>
        <source>%1: the image id %2 is used twice.</source>
        <translation>%1: kitambulisho cha picha %2 kimetumika mara mbili.</translation>
    </message>
    <message>
        <source>%1: the file name %2 is used twice.</source>
        <translation>%1: jina la faili %2 limetumika mara mbili.</translation>
    </message>
    <message>
        <source>%1 has no &quot;name&quot;.</source>
        <translation>%1 haina &quot;name&quot;.</translation>
    </message>
    <message>
        <source>%1: the category id %2 is used twice.</source>
        <translation>%1: kitambulisho cha kundi %2 kimetumika mara mbili.</translation>
    </message>
    <message>
        <source>%1: the category name &quot;%2&quot; is used twice.</source>
        <translation>%1: jina la kundi &quot;%2&quot; limetumika mara mbili.</translation>
    </message>
    <message>
        <source>%1 is not an object.</source>
        <translation>%1 si kitu.</translation>
    </message>
    <message>
        <source>%1 has no integer &quot;image_id&quot;.</source>
        <translation>%1 haina &quot;image_id&quot; ya namba kamili.</translation>
    </message>
    <message>
        <source>%1 refers to the undeclared image_id %2.</source>
        <translation>%1 inarejelea image_id %2 ambayo haijatangazwa.</translation>
    </message>
    <message>
        <source>%1 has no integer &quot;category_id&quot;.</source>
        <translation>%1 haina &quot;category_id&quot; ya namba kamili.</translation>
    </message>
    <message>
        <source>%1 refers to the undeclared category_id %2.</source>
        <translation>%1 inarejelea category_id %2 ambayo haijatangazwa.</translation>
    </message>
    <message>
        <source>%1 has no segmentation; skipped.</source>
        <translation>%1 haina ugawaji; imerukwa.</translation>
    </message>
    <message>
        <source>%1: segmentation polygon %2 needs an even number of at least 6 coordinates.</source>
        <translation>%1: poligoni ya ugawaji %2 inahitaji idadi shufwa ya angalau viwianishi 6.</translation>
    </message>
    <message>
        <source>%1: segmentation polygon %2 has a coordinate that is not a number.</source>
        <translation>%1: poligoni ya ugawaji %2 ina kiwianishi ambacho si namba.</translation>
    </message>
    <message>
        <source>%1: the segmentation polygons cannot be rasterised (coordinates out of range).</source>
        <translation>%1: poligoni za ugawaji haziwezi kugeuzwa kuwa pikseli (viwianishi nje ya masafa).</translation>
    </message>
    <message>
        <source>%1: invalid RLE segmentation: %2</source>
        <translation>%1: ugawaji wa RLE si sahihi: %2</translation>
    </message>
    <message>
        <source>%1: the RLE size [%2, %3] differs from its image %4 (%5 x %6, size [%6, %5]).</source>
        <translation>%1: ukubwa wa RLE [%2, %3] unatofautiana na picha yake %4 (%5 x %6, ukubwa [%6, %5]).</translation>
    </message>
    <message>
        <source>%1: &quot;segmentation&quot; must be a polygon list or an RLE object.</source>
        <translation>%1: &quot;segmentation&quot; lazima iwe orodha ya poligoni au kitu cha RLE.</translation>
    </message>
    <message>
        <source>%1 cannot be merged with the earlier &quot;%2&quot; region of %3.</source>
        <translation>%1 haiwezi kuunganishwa na eneo la awali &quot;%2&quot; la %3.</translation>
    </message>
</context>
<context>
    <name>dl::CocoRle</name>
    <message>
        <source>Invalid RLE size %1 x %2.</source>
        <translation>Ukubwa wa RLE si sahihi %1 x %2.</translation>
    </message>
    <message>
        <source>RLE string ends in the middle of a value (at character %1).</source>
        <translation>Mfuatano wa RLE unaishia katikati ya thamani (kwenye herufi %1).</translation>
    </message>
    <message>
        <source>Invalid character (code %1) at position %2 of the RLE string.</source>
        <translation>Herufi si sahihi (msimbo %1) katika nafasi %2 ya mfuatano wa RLE.</translation>
    </message>
    <message>
        <source>RLE value at character %1 is too long.</source>
        <translation>Thamani ya RLE kwenye herufi %1 ni ndefu mno.</translation>
    </message>
    <message>
        <source>RLE count %1 (number %2) is out of range.</source>
        <translation>Hesabu ya RLE %1 (namba %2) iko nje ya masafa.</translation>
    </message>
    <message>
        <source>RLE &quot;size&quot; must be [height, width] with non-negative integers.</source>
        <translation>&quot;size&quot; ya RLE lazima iwe [urefu, upana] kwa namba kamili zisizo hasi.</translation>
    </message>
    <message>
        <source>RLE &quot;counts&quot; string contains a non-ASCII character.</source>
        <translation>Mfuatano wa &quot;counts&quot; wa RLE una herufi isiyo ya ASCII.</translation>
    </message>
    <message>
        <source>RLE &quot;counts&quot; array holds a value that is not a count.</source>
        <translation>Safu ya &quot;counts&quot; ya RLE ina thamani ambayo si hesabu.</translation>
    </message>
    <message>
        <source>RLE &quot;counts&quot; must be a string or an array of integers.</source>
        <translation>&quot;counts&quot; za RLE lazima ziwe mfuatano au safu ya namba kamili.</translation>
    </message>
    <message>
        <source>RLE counts add up to %1 pixels, but a %2 x %3 mask has %4.</source>
        <translation>Hesabu za RLE zinajumlisha pikseli %1, lakini maski ya %2 x %3 ina %4.</translation>
    </message>
</context>
<context>
    <name>dl::CocoWriter</name>
    <message>
        <source>A COCO category needs a name.</source>
        <translation>Kundi la COCO linahitaji jina.</translation>
    </message>
    <message>
        <source>The COCO category &quot;%1&quot; was added twice.</source>
        <translation>Kundi la COCO &quot;%1&quot; liliongezwa mara mbili.</translation>
    </message>
    <message>
        <source>A COCO image needs a file name.</source>
        <translation>Picha ya COCO inahitaji jina la faili.</translation>
    </message>
    <message>
        <source>The image %1 was added twice.</source>
        <translation>Picha %1 iliongezwa mara mbili.</translation>
    </message>
    <message>
        <source>The image %1 has the invalid size %2 x %3.</source>
        <translation>Picha %1 ina ukubwa usio sahihi %2 x %3.</translation>
    </message>
    <message>
        <source>The image %1 has a mask of the unknown category &quot;%2&quot;.</source>
        <translation>Picha %1 ina maski ya kundi lisilojulikana &quot;%2&quot;.</translation>
    </message>
    <message>
        <source>The &quot;%1&quot; mask of %2 does not have the image&apos;s size.</source>
        <translation>Maski &quot;%1&quot; ya %2 haina ukubwa wa picha.</translation>
    </message>
    <message>
        <source>The &quot;%1&quot; mask of %2 is %3 x %4 (type %5), not %6 x %7 8-bit.</source>
        <translation>Maski &quot;%1&quot; ya %2 ni %3 x %4 (aina %5), si %6 x %7 ya biti 8.</translation>
    </message>
</context>
<context>
    <name>dl::ConfusionHeatMap</name>
    <message>
        <source>These two raters have no image of this field in common.</source>
        <translation>Watathmini hawa wawili hawana picha ya sehemu hii kwa pamoja.</translation>
    </message>
    <message>
        <source>%1 (columns)</source>
        <translation>%1 (safu wima)</translation>
    </message>
    <message>
        <source>%1 (rows)</source>
        <translation>%1 (safu mlalo)</translation>
    </message>
    <message>
        <source>Outlined: both raters gave the same label. Darker: more images.</source>
        <translation>Yenye mpaka: watathmini wote wawili walitoa lebo moja. Nyeusi zaidi: picha zaidi.</translation>
    </message>
</context>
<context>
    <name>dl::ConsensusCalculator</name>
    <message>
        <source>no rater answered</source>
        <translation>hakuna mtathmini aliyejibu</translation>
    </message>
    <message>
        <source>no two raters agree</source>
        <translation>hakuna watathmini wawili wanaokubaliana</translation>
    </message>
    <message>
        <source>tie: %1 votes each</source>
        <translation>sare: kura %1 kila upande</translation>
    </message>
    <message>
        <source>no quorum: %1 of %2 needed</source>
        <translation>hakuna akidi: %1 kati ya %2 zinahitajika</translation>
    </message>
    <message>
        <source>no rater named a condition</source>
        <translation>hakuna mtathmini aliyetaja ugonjwa</translation>
    </message>
    <message>
        <source>tie: %1 and %2 weigh the same</source>
        <translation>sare: %1 na %2 zina uzito sawa</translation>
    </message>
    <message>
        <source>no quorum: %1 of %2 raters named a condition</source>
        <translation>hakuna akidi: watathmini %1 kati ya %2 walitaja ugonjwa</translation>
    </message>
    <message numerus="yes">
        <source>waiting for %n more rater(s)</source>
        <translation>
            <numerusform>inasubiri mtathmini %n zaidi</numerusform>
            <numerusform>inasubiri watathmini %n zaidi</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>dl::ConsensusService</name>
    <message>
        <source>The quorum must be from 1 to 20 raters.</source>
        <translation>Akidi lazima iwe kutoka watathmini 1 hadi 20.</translation>
    </message>
    <message>
        <source>Cancelled; the consensus was left as it was.</source>
        <translation>Imeghairiwa; maafikiano yameachwa kama yalivyokuwa.</translation>
    </message>
    <message>
        <source>%1 is not a field with a consensus.</source>
        <translation>%1 si sehemu yenye maafikiano.</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a value of %2.</source>
        <translation>&apos;%1&apos; si thamani ya %2.</translation>
    </message>
    <message>
        <source>Give a reason for the decision.</source>
        <translation>Toa sababu ya uamuzi.</translation>
    </message>
    <message>
        <source>No such image.</source>
        <translation>Hakuna picha kama hiyo.</translation>
    </message>
</context>
<context>
    <name>dl::CsvReader</name>
    <message>
        <source>the file is empty</source>
        <translation>faili ni tupu</translation>
    </message>
    <message>
        <source>line %1: invalid UTF-8 (byte 0x%2); save the file as UTF-8</source>
        <translation>mstari %1: UTF-8 si sahihi (baiti 0x%2); hifadhi faili kama UTF-8</translation>
    </message>
    <message>
        <source>line %1: a field of more than %2 MB; fields are limited to %2 MB</source>
        <translation>mstari %1: sehemu ya zaidi ya MB %2; sehemu zimewekewa kikomo cha MB %2</translation>
    </message>
    <message>
        <source>line %1: a quoted field is not closed (missing &apos;&quot;&apos;)</source>
        <translation>mstari %1: sehemu iliyo ndani ya alama za nukuu haijafungwa (&apos;&quot;&apos; inakosekana)</translation>
    </message>
    <message>
        <source>line %1: more than %2 fields, header has %3</source>
        <translation>mstari %1: sehemu zaidi ya %2, kichwa kina %3</translation>
    </message>
    <message>
        <source>line %1: the header has more than %2 columns; at most %2 are supported</source>
        <translation>mstari %1: kichwa kina safu wima zaidi ya %2; zisizozidi %2 ndizo zinazoungwa mkono</translation>
    </message>
    <message>
        <source>line %1: a row of more than %2 MB; rows are limited to %2 MB</source>
        <translation>mstari %1: safu mlalo ya zaidi ya MB %2; safu mlalo zimewekewa kikomo cha MB %2</translation>
    </message>
    <message>
        <source>line %1: the header has more than one empty column name</source>
        <translation>mstari %1: kichwa kina zaidi ya jina moja tupu la safu wima</translation>
    </message>
    <message>
        <source>line %1: duplicate column name &quot;%2&quot; in the header</source>
        <translation>mstari %1: jina la safu wima &quot;%2&quot; limerudiwa kwenye kichwa</translation>
    </message>
    <message>
        <source>line %1: %2 fields, header has %3</source>
        <translation>mstari %1: sehemu %2, kichwa kina %3</translation>
    </message>
    <message>
        <source>line %1: more than %2 million fields in all (rows x columns); split the file</source>
        <translation>mstari %1: zaidi ya sehemu milioni %2 kwa jumla (safu mlalo x safu wima); gawanya faili</translation>
    </message>
    <message>
        <source>no header row (the file holds only blank lines)</source>
        <translation>hakuna mstari wa kichwa (faili ina mistari tupu tu)</translation>
    </message>
    <message>
        <source>%1: file not found</source>
        <translation>%1: faili haijapatikana</translation>
    </message>
    <message>
        <source>%1: is a folder, not a CSV file</source>
        <translation>%1: ni folda, si faili ya CSV</translation>
    </message>
    <message>
        <source>%1: cannot open: %2</source>
        <translation>%1: haiwezi kufunguliwa: %2</translation>
    </message>
    <message>
        <source>%1: cannot read: %2</source>
        <translation>%1: haiwezi kusomwa: %2</translation>
    </message>
    <message>
        <source>%1: missing required column(s): %2</source>
        <translation>%1: safu wima zinazohitajika hazipo: %2</translation>
    </message>
</context>
<context>
    <name>dl::CsvWriter</name>
    <message>
        <source>%1: row %2 has %3 fields, header has %4</source>
        <translation>%1: safu mlalo %2 ina sehemu %3, kichwa kina %4</translation>
    </message>
    <message>
        <source>%1: cannot open for writing: %2</source>
        <translation>%1: haiwezi kufunguliwa kwa kuandika: %2</translation>
    </message>
    <message>
        <source>%1: write failed: %2</source>
        <translation>%1: kuandika kumeshindwa: %2</translation>
    </message>
    <message>
        <source>%1: cannot save: %2</source>
        <translation>%1: haiwezi kuhifadhiwa: %2</translation>
    </message>
</context>
<context>
    <name>dl::DatasetPaths</name>
    <message>
        <source>The path points outside the dataset folder.</source>
        <translation>Njia inaelekeza nje ya folda ya seti ya data.</translation>
    </message>
    <message>
        <source>The file does not exist.</source>
        <translation>Faili haipo.</translation>
    </message>
    <message>
        <source>The path is not a file.</source>
        <translation>Njia si faili.</translation>
    </message>
</context>
<context>
    <name>dl::DemoDataset</name>
    <message>
        <source>Cannot encode the demo image %1.</source>
        <translation>Imeshindwa kusimba picha ya maonyesho %1.</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>Imeshindwa kuandika %1: %2</translation>
    </message>
    <message>
        <source>The number of demo images must not be negative (%1).</source>
        <translation>Idadi ya picha za maonyesho haipaswi kuwa hasi (%1).</translation>
    </message>
    <message>
        <source>The demo image size %1 x %2 is too small (at least 16 x 16).</source>
        <translation>Ukubwa wa picha ya maonyesho %1 x %2 ni mdogo mno (angalau 16 x 16).</translation>
    </message>
    <message>
        <source>Cannot create the folder %1.</source>
        <translation>Imeshindwa kuunda folda %1.</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>imeghairiwa</translation>
    </message>
</context>
<context>
    <name>dl::DemoRatings</name>
    <message>
        <source>The taxonomy has no conditions.</source>
        <translation>Taksonomia haina magonjwa.</translation>
    </message>
</context>
<context>
    <name>dl::DiagnosisRow</name>
    <message>
        <source>Confidence</source>
        <translation>Uhakika</translation>
    </message>
    <message>
        <source>Most likely condition…</source>
        <translation>Ugonjwa unaowezekana zaidi…</translation>
    </message>
    <message>
        <source>Alternative condition…</source>
        <translation>Ugonjwa mbadala…</translation>
    </message>
    <message>
        <source>Diagnosis %1</source>
        <translation>Utambuzi %1</translation>
    </message>
    <message>
        <source>Remove this diagnosis</source>
        <translation>Ondoa utambuzi huu</translation>
    </message>
    <message>
        <source>Remove diagnosis %1</source>
        <translation>Ondoa utambuzi %1</translation>
    </message>
    <message>
        <source>very unsure</source>
        <translation>sina uhakika kabisa</translation>
    </message>
    <message>
        <source>unsure</source>
        <translation>sina uhakika</translation>
    </message>
    <message>
        <source>moderately sure</source>
        <translation>nina uhakika kiasi</translation>
    </message>
    <message>
        <source>sure</source>
        <translation>nina uhakika</translation>
    </message>
    <message>
        <source>very sure</source>
        <translation>nina uhakika sana</translation>
    </message>
    <message>
        <source>Confidence %1: %2 (key %1)</source>
        <translation>Uhakika %1: %2 (kitufe %1)</translation>
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
        <translation>imekubaliwa</translation>
    </message>
    <message>
        <source>pending</source>
        <translation>inasubiri</translation>
    </message>
    <message>
        <source>to adjudicate</source>
        <translation>ya kusuluhishwa</translation>
    </message>
    <message>
        <source>adjudicated</source>
        <translation>imesuluhishwa</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 kati ya %2</translation>
    </message>
    <message>
        <source>Share of the raters against the leading value</source>
        <translation>Sehemu ya watathmini wanaopinga thamani inayoongoza</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>Picha</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>Sehemu</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Hali</translation>
    </message>
    <message>
        <source>Leading votes</source>
        <translation>Kura zinazoongoza</translation>
    </message>
    <message>
        <source>Against</source>
        <translation>Dhidi</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>Kwa nini</translation>
    </message>
</context>
<context>
    <name>dl::ExportDialog</name>
    <message>
        <source>Export Label Bundle</source>
        <translation>Hamisha Kifurushi cha Lebo</translation>
    </message>
    <message>
        <source>Bundle</source>
        <translation>Kifurushi</translation>
    </message>
    <message>
        <source>Folder or .zip file to write</source>
        <translation>Folda au faili ya .zip ya kuandika</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Vinjari…</translation>
    </message>
    <message>
        <source>One &amp;zip archive instead of a folder</source>
        <translation>Kumbukumbu moja ya &amp;zip badala ya folda</translation>
    </message>
    <message>
        <source>&amp;Replace a previous bundle there</source>
        <translation>&amp;Badilisha kifurushi cha awali kilichopo hapo</translation>
    </message>
    <message>
        <source>Only a bundle DermLabel wrote, or an empty folder, is replaced; anything else is refused and left as it is.</source>
        <translation>Kifurushi kilichoandikwa na DermLabel tu, au folda tupu, ndicho hubadilishwa; kitu kingine chochote kinakataliwa na kuachwa kama kilivyo.</translation>
    </message>
    <message>
        <source>&amp;Consensus labels and masks</source>
        <translation>Lebo na maski za &amp;maafikiano</translation>
    </message>
    <message>
        <source>Every &amp;rater&apos;s labels and masks (pseudonymised)</source>
        <translation>Lebo na maski za kila m&amp;tathmini (kwa majina bandia)</translation>
    </message>
    <message>
        <source>&amp;Output:</source>
        <translation>Mat&amp;okeo:</translation>
    </message>
    <message>
        <source>Labels:</source>
        <translation>Lebo:</translation>
    </message>
    <message>
        <source>Release gate</source>
        <translation>Kizuizi cha utoaji</translation>
    </message>
    <message>
        <source>Hold back records whose age group, sex, skin type, body site, country and condition occur fewer than k times in the bundle. 1 turns the check off.</source>
        <translation>Zuia rekodi ambazo kundi la umri, jinsia, aina ya ngozi, sehemu ya mwili, nchi na ugonjwa wake vinatokea chini ya mara k kwenye kifurushi. 1 huzima ukaguzi huu.</translation>
    </message>
    <message>
        <source>Solid fill</source>
        <translation>Kujaza rangi moja</translation>
    </message>
    <message>
        <source>Strong blur</source>
        <translation>Ukungu mzito</translation>
    </message>
    <message>
        <source>Include the datasets&apos; own case ids where they are public</source>
        <translation>Jumuisha vitambulisho vya kesi vya seti za data vilivyo vya umma</translation>
    </message>
    <message>
        <source>&amp;k-anonymity:</source>
        <translation>&amp;k-kutotambulika:</translation>
    </message>
    <message>
        <source>&amp;Minimum raters:</source>
        <translation>I&amp;dadi ya chini ya watathmini:</translation>
    </message>
    <message>
        <source>Identifying regions:</source>
        <translation>Maeneo yanayotambulisha:</translation>
    </message>
    <message>
        <source>What will be exported</source>
        <translation>Kitakachohamishwa</translation>
    </message>
    <message>
        <source>Checking the store…</source>
        <translation>Inakagua hifadhi…</translation>
    </message>
    <message>
        <source>Held back because</source>
        <translation>Imezuiwa kwa sababu</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>Picha</translation>
    </message>
    <message>
        <source>&amp;Export</source>
        <translation>&amp;Hamisha</translation>
    </message>
    <message>
        <source>Cancel Export</source>
        <translation>Ghairi Uhamishaji</translation>
    </message>
    <message>
        <source>Export to Zip Archive</source>
        <translation>Hamisha kwenye Kumbukumbu ya Zip</translation>
    </message>
    <message>
        <source>Zip archives (*.zip)</source>
        <translation>Kumbukumbu za zip (*.zip)</translation>
    </message>
    <message>
        <source>Export to Folder</source>
        <translation>Hamisha kwenye Folda</translation>
    </message>
    <message>
        <source>The store could not be checked: %1</source>
        <translation>Hifadhi haikuweza kukaguliwa: %1</translation>
    </message>
    <message>
        <source>%1 of %2 labelled images will be exported; %3 are held back.</source>
        <translation>Picha %1 kati ya %2 zenye lebo zitahamishwa; %3 zimezuiwa.</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>Inahamisha…</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>Inaghairi…</translation>
    </message>
    <message>
        <source>Wrote %1: %2 images, %3 masks, %4 COCO annotations; %5 images held back (see release_report.json).</source>
        <translation>Imeandika %1: picha %2, maski %3, maelezo %4 ya COCO; picha %5 zimezuiwa (tazama release_report.json).</translation>
    </message>
    <message>
        <source>Export cancelled; nothing was written.</source>
        <translation>Uhamishaji umeghairiwa; hakuna kilichoandikwa.</translation>
    </message>
    <message>
        <source>The export failed: %1</source>
        <translation>Uhamishaji umeshindwa: %1</translation>
    </message>
    <message>
        <source>Export Running</source>
        <translation>Uhamishaji Unaendelea</translation>
    </message>
    <message>
        <source>Cancel the export and close?</source>
        <translation>Ghairi uhamishaji na ufunge?</translation>
    </message>
</context>
<context>
    <name>dl::ExportSource</name>
    <message>
        <source>Image %1 is labelled but not in the store.</source>
        <translation>Picha %1 ina lebo lakini haipo kwenye hifadhi.</translation>
    </message>
    <message>
        <source>Case %1 of image %2 is not in the store.</source>
        <translation>Kesi %1 ya picha %2 haipo kwenye hifadhi.</translation>
    </message>
</context>
<context>
    <name>dl::FaceCheck</name>
    <message>
        <source>Image %1: %2</source>
        <translation>Picha %1: %2</translation>
    </message>
    <message>
        <source>The image has no face flag.</source>
        <translation>Picha haina alama ya uso.</translation>
    </message>
</context>
<context>
    <name>dl::FaceDetector</name>
    <message>
        <source>The face detection cascade %1 was not found (looked in %2). Install the Debian package opencv-data or set DERMLABEL_FACE_CASCADE.</source>
        <translation>Mfululizo wa kutambua nyuso %1 haukupatikana (ulitafutwa katika %2). Sakinisha kifurushi cha Debian opencv-data au weka DERMLABEL_FACE_CASCADE.</translation>
    </message>
    <message>
        <source>The face detection cascade %1 does not exist.</source>
        <translation>Mfululizo wa kutambua nyuso %1 haupo.</translation>
    </message>
    <message>
        <source>%1 is not a readable OpenCV cascade file.</source>
        <translation>%1 si faili ya mfululizo wa OpenCV inayosomeka.</translation>
    </message>
    <message>
        <source>Cannot look for faces in a null image.</source>
        <translation>Haiwezekani kutafuta nyuso katika picha tupu.</translation>
    </message>
    <message>
        <source>No face detection cascade is loaded.</source>
        <translation>Hakuna mfululizo wa kutambua nyuso uliopakiwa.</translation>
    </message>
    <message>
        <source>Face detection needs a non-empty 8-bit image with 1, 3 or 4 channels.</source>
        <translation>Utambuzi wa nyuso unahitaji picha isiyo tupu ya biti 8 yenye chaneli 1, 3 au 4.</translation>
    </message>
    <message>
        <source>Face detection failed: %1</source>
        <translation>Utambuzi wa nyuso umeshindwa: %1</translation>
    </message>
</context>
<context>
    <name>dl::FaceFlagModel</name>
    <message>
        <source>Open: held back from export</source>
        <translation>Wazi: imezuiwa isihamishwe</translation>
    </message>
    <message>
        <source>Confirmed: a face shows</source>
        <translation>Imethibitishwa: uso unaonekana</translation>
    </message>
    <message>
        <source>Dismissed: no face</source>
        <translation>Imekataliwa: hakuna uso</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>Picha</translation>
    </message>
    <message>
        <source>Possible faces</source>
        <translation>Nyuso zinazowezekana</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>Pitia</translation>
    </message>
</context>
<context>
    <name>dl::FolderScanner</name>
    <message>
        <source>The folder cannot be read.</source>
        <translation>Folda haisomeki.</translation>
    </message>
    <message>
        <source>%1 images are not supported.</source>
        <translation>Picha za %1 haziungwi mkono.</translation>
    </message>
</context>
<context>
    <name>dl::GrabCutTool</name>
    <message>
        <source>Segmenting…</source>
        <translation>Inagawa…</translation>
    </message>
    <message>
        <source>Wait for the segmentation to finish.</source>
        <translation>Subiri ugawaji umalizike.</translation>
    </message>
    <message>
        <source>GrabCut session ended: the next strokes start a new one.</source>
        <translation>Kipindi cha GrabCut kimeisha: mistari inayofuata inaanzisha kipya.</translation>
    </message>
    <message>
        <source>GrabCut session ended: the next box starts a new one.</source>
        <translation>Kipindi cha GrabCut kimeisha: kisanduku kinachofuata kinaanzisha kipya.</translation>
    </message>
    <message>
        <source>Now drag over the lesion: the segmentation starts from a foreground stroke.</source>
        <translation>Sasa buruta juu ya lesion: ugawaji unaanza kutoka mstari wa mbele.</translation>
    </message>
    <message>
        <source>Leave some background outside the box.</source>
        <translation>Acha sehemu ya mandharinyuma nje ya kisanduku.</translation>
    </message>
    <message>
        <source>Refining…</source>
        <translation>Inaboresha…</translation>
    </message>
    <message>
        <source>The segmentation found nothing.</source>
        <translation>Ugawaji haukupata chochote.</translation>
    </message>
    <message>
        <source>Refine with strokes: drag over what belongs, right drag (or Alt+drag) over what does not; Esc ends.</source>
        <translation>Boresha kwa mistari: buruta juu ya kilicho sehemu yake, buruta kwa kitufe cha kulia (au Alt+buruta) juu ya kisicho sehemu yake; Esc humaliza.</translation>
    </message>
</context>
<context>
    <name>dl::IccProfile</name>
    <message>
        <source>Malformed ICC profile: %1.</source>
        <translation>Profaili ya ICC iliyoharibika: %1.</translation>
    </message>
    <message>
        <source>%1 bytes, shorter than a header and a tag count</source>
        <translation>baiti %1, fupi kuliko kichwa na idadi ya tagi</translation>
    </message>
    <message>
        <source>%1 bytes, more than the %2 accepted</source>
        <translation>baiti %1, zaidi ya %2 zinazokubalika</translation>
    </message>
    <message>
        <source>the header gives the size %1, the data has %2 bytes</source>
        <translation>kichwa kinatoa ukubwa %1, data ina baiti %2</translation>
    </message>
    <message>
        <source>no &apos;acsp&apos; signature</source>
        <translation>hakuna saini ya &apos;acsp&apos;</translation>
    </message>
    <message>
        <source>version %1 is not supported (2 and 4 are)</source>
        <translation>toleo %1 haliungwi mkono (2 na 4 vinaungwa mkono)</translation>
    </message>
    <message>
        <source>the profile class %1 cannot describe an image</source>
        <translation>aina ya profaili %1 haiwezi kuelezea picha</translation>
    </message>
    <message>
        <source>unknown rendering intent %1</source>
        <translation>nia ya uonyeshaji isiyojulikana %1</translation>
    </message>
    <message>
        <source>a tag table of %1 entries does not fit</source>
        <translation>jedwali la tagi lenye vipengele %1 halitoshei</translation>
    </message>
    <message>
        <source>tag %1 appears twice</source>
        <translation>tagi %1 inaonekana mara mbili</translation>
    </message>
    <message>
        <source>tag %1 (offset %2, size %3) is outside the profile&apos;s %4 bytes of tag data</source>
        <translation>tagi %1 (nafasi %2, ukubwa %3) iko nje ya baiti %4 za data ya tagi za profaili</translation>
    </message>
    <message>
        <source>no tag that defines colours</source>
        <translation>hakuna tagi inayofafanua rangi</translation>
    </message>
</context>
<context>
    <name>dl::ImageBlobRepository</name>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>Imeshindwa kusoma %1: %2</translation>
    </message>
    <message>
        <source>Cannot upload the image file %1: %2</source>
        <translation>Imeshindwa kupakia faili ya picha %1: %2</translation>
    </message>
    <message>
        <source>the file became shorter</source>
        <translation>faili imekuwa fupi zaidi</translation>
    </message>
    <message>
        <source>%1 changed while it was uploaded.</source>
        <translation>%1 ilibadilika ilipokuwa ikipakiwa.</translation>
    </message>
    <message>
        <source>The file %1 is not the image %2 (its SHA-256 is %3): not uploaded.</source>
        <translation>Faili %1 si picha %2 (SHA-256 yake ni %3): haijapakiwa.</translation>
    </message>
    <message>
        <source>Cannot download the image file %1: %2</source>
        <translation>Imeshindwa kupakua faili ya picha %1: %2</translation>
    </message>
    <message>
        <source>The file of image %1 is missing from the store: it was never uploaded.</source>
        <translation>Faili ya picha %1 haipo kwenye hifadhi: haikuwahi kupakiwa.</translation>
    </message>
    <message>
        <source>The image file %1 is not in this store, or you may not read it (the image is not assigned to you).</source>
        <translation>Faili ya picha %1 haipo kwenye hifadhi hii, au huruhusiwi kuisoma (picha haijagawiwa kwako).</translation>
    </message>
    <message>
        <source>Cannot create the folder %1.</source>
        <translation>Imeshindwa kuunda folda %1.</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>Imeshindwa kuandika %1: %2</translation>
    </message>
    <message>
        <source>The file of image %1 in the store is incomplete (part %2 of %3 is missing).</source>
        <translation>Faili ya picha %1 kwenye hifadhi haijakamilika (sehemu %2 kati ya %3 inakosekana).</translation>
    </message>
    <message>
        <source>The file of image %1 in the store is damaged (longer than recorded).</source>
        <translation>Faili ya picha %1 kwenye hifadhi imeharibika (ndefu kuliko ilivyorekodiwa).</translation>
    </message>
    <message>
        <source>The file of image %1 in the store is incomplete (%2 of %3 bytes).</source>
        <translation>Faili ya picha %1 kwenye hifadhi haijakamilika (baiti %2 kati ya %3).</translation>
    </message>
    <message>
        <source>The file of image %1 in the store is damaged (its SHA-256 does not match).</source>
        <translation>Faili ya picha %1 kwenye hifadhi imeharibika (SHA-256 yake hailingani).</translation>
    </message>
</context>
<context>
    <name>dl::ImageCache</name>
    <message>
        <source>Cannot decode image file &quot;%1&quot;.</source>
        <translation>Imeshindwa kufasiri faili ya picha &quot;%1&quot;.</translation>
    </message>
</context>
<context>
    <name>dl::ImageDecoder</name>
    <message>
        <source>The %1 decoder could not read the image: %2</source>
        <translation>Kifasiri cha %1 hakikuweza kusoma picha: %2</translation>
    </message>
    <message>
        <source>The decoded image (%1 x %2) does not match its header (%3 x %4)</source>
        <translation>Picha iliyofasiriwa (%1 x %2) hailingani na kichwa chake (%3 x %4)</translation>
    </message>
    <message>
        <source>Not enough memory for the decoded image</source>
        <translation>Hakuna kumbukumbu ya kutosha kwa picha iliyofasiriwa</translation>
    </message>
    <message>
        <source>Cannot open image file &quot;%1&quot;: %2</source>
        <translation>Imeshindwa kufungua faili ya picha &quot;%1&quot;: %2</translation>
    </message>
    <message>
        <source>Cannot read image file &quot;%1&quot;: %2</source>
        <translation>Imeshindwa kusoma faili ya picha &quot;%1&quot;: %2</translation>
    </message>
    <message>
        <source>Cannot decode image file &quot;%1&quot;: %2</source>
        <translation>Imeshindwa kufasiri faili ya picha &quot;%1&quot;: %2</translation>
    </message>
</context>
<context>
    <name>dl::ImageFileCache</name>
    <message>
        <source>%1 is not an image file of the store.</source>
        <translation>%1 si faili ya picha ya hifadhi.</translation>
    </message>
</context>
<context>
    <name>dl::ImageFormat</name>
    <message>
        <source>Accepted</source>
        <translation>Imekubaliwa</translation>
    </message>
    <message>
        <source>Empty file</source>
        <translation>Faili tupu</translation>
    </message>
    <message>
        <source>Truncated file</source>
        <translation>Faili iliyokatika</translation>
    </message>
    <message>
        <source>Not an image</source>
        <translation>Si picha</translation>
    </message>
    <message>
        <source>Unsupported image format</source>
        <translation>Muundo wa picha usioungwa mkono</translation>
    </message>
    <message>
        <source>Corrupt image data</source>
        <translation>Data ya picha iliyoharibika</translation>
    </message>
    <message>
        <source>Image too large</source>
        <translation>Picha ni kubwa mno</translation>
    </message>
    <message>
        <source>Unreadable file</source>
        <translation>Faili isiyosomeka</translation>
    </message>
</context>
<context>
    <name>dl::ImageIngest</name>
    <message>
        <source>The file cannot be read: %1</source>
        <translation>Faili haisomeki: %1</translation>
    </message>
    <message>
        <source>The file is %1 MB, more than the limit of %2 MB.</source>
        <translation>Faili ni MB %1, zaidi ya kikomo cha MB %2.</translation>
    </message>
    <message>
        <source>Cannot write to the store&apos;s image folder %1: %2</source>
        <translation>Imeshindwa kuandika kwenye folda ya picha ya hifadhi %1: %2</translation>
    </message>
</context>
<context>
    <name>dl::ImageListModel</name>
    <message>
        <source>to do</source>
        <translation>ya kufanya</translation>
    </message>
    <message>
        <source>in progress</source>
        <translation>inaendelea</translation>
    </message>
    <message>
        <source>done</source>
        <translation>imekamilika</translation>
    </message>
    <message>
        <source>skipped</source>
        <translation>imerukwa</translation>
    </message>
    <message>
        <source>flagged for QA</source>
        <translation>imewekewa alama kwa ubora</translation>
    </message>
    <message>
        <source>%1
%2 x %3 pixels, %4, %5 KB</source>
        <translation>%1
pikseli %2 x %3, %4, KB %5</translation>
    </message>
</context>
<context>
    <name>dl::ImageProbe</name>
    <message>
        <source>JPEG data ends inside its header</source>
        <translation>Data ya JPEG inaishia ndani ya kichwa chake</translation>
    </message>
    <message>
        <source>JPEG header is damaged: no marker at byte %1</source>
        <translation>Kichwa cha JPEG kimeharibika: hakuna alama kwenye baiti %1</translation>
    </message>
    <message>
        <source>JPEG header is damaged: unexpected marker 0x%1 at byte %2</source>
        <translation>Kichwa cha JPEG kimeharibika: alama isiyotarajiwa 0x%1 kwenye baiti %2</translation>
    </message>
    <message>
        <source>JPEG file ends before any image data</source>
        <translation>Faili ya JPEG inaishia kabla ya data yoyote ya picha</translation>
    </message>
    <message>
        <source>JPEG header is damaged: bad segment length at byte %1</source>
        <translation>Kichwa cha JPEG kimeharibika: urefu mbaya wa sehemu kwenye baiti %1</translation>
    </message>
    <message>
        <source>JPEG file has more than one frame header</source>
        <translation>Faili ya JPEG ina zaidi ya kichwa kimoja cha fremu</translation>
    </message>
    <message>
        <source>lossless or hierarchical JPEG (SOF%1) is not supported</source>
        <translation>JPEG isiyopoteza ubora au ya kihierarkia (SOF%1) haiungwi mkono</translation>
    </message>
    <message>
        <source>JPEG frame header is too short</source>
        <translation>Kichwa cha fremu ya JPEG ni kifupi mno</translation>
    </message>
    <message>
        <source>%1-bit JPEG is not supported</source>
        <translation>JPEG ya biti %1 haiungwi mkono</translation>
    </message>
    <message>
        <source>JPEG frame header is damaged</source>
        <translation>Kichwa cha fremu ya JPEG kimeharibika</translation>
    </message>
    <message>
        <source>JPEG with %1 colour components is not supported</source>
        <translation>JPEG yenye vijenzi %1 vya rangi haiungwi mkono</translation>
    </message>
    <message>
        <source>JPEG frame header has bad sampling factors</source>
        <translation>Kichwa cha fremu ya JPEG kina vipengele vibaya vya sampuli</translation>
    </message>
    <message>
        <source>JPEG image data starts before the frame header</source>
        <translation>Data ya picha ya JPEG inaanza kabla ya kichwa cha fremu</translation>
    </message>
    <message>
        <source>JPEG data ends before the end-of-image marker</source>
        <translation>Data ya JPEG inaishia kabla ya alama ya mwisho wa picha</translation>
    </message>
    <message>
        <source>PNG data ends inside its header</source>
        <translation>Data ya PNG inaishia ndani ya kichwa chake</translation>
    </message>
    <message>
        <source>Apple-optimised PNG (CgBI) is not supported</source>
        <translation>PNG iliyoboreshwa kwa Apple (CgBI) haiungwi mkono</translation>
    </message>
    <message>
        <source>PNG file does not start with an IHDR chunk</source>
        <translation>Faili ya PNG haianzi na kipande cha IHDR</translation>
    </message>
    <message>
        <source>PNG header (IHDR) has a bad CRC</source>
        <translation>Kichwa cha PNG (IHDR) kina CRC mbaya</translation>
    </message>
    <message>
        <source>PNG header has an invalid pixel format (colour type %1, depth %2)</source>
        <translation>Kichwa cha PNG kina muundo wa pikseli usio sahihi (aina ya rangi %1, kina %2)</translation>
    </message>
    <message>
        <source>PNG data ends before the IEND chunk</source>
        <translation>Data ya PNG inaishia kabla ya kipande cha IEND</translation>
    </message>
    <message>
        <source>WebP data ends inside its header</source>
        <translation>Data ya WebP inaishia ndani ya kichwa chake</translation>
    </message>
    <message>
        <source>WebP header is damaged</source>
        <translation>Kichwa cha WebP kimeharibika</translation>
    </message>
    <message>
        <source>WebP (VP8) frame header is damaged</source>
        <translation>Kichwa cha fremu ya WebP (VP8) kimeharibika</translation>
    </message>
    <message>
        <source>WebP (VP8L) header is damaged</source>
        <translation>Kichwa cha WebP (VP8L) kimeharibika</translation>
    </message>
    <message>
        <source>WebP file has no image chunk</source>
        <translation>Faili ya WebP haina kipande cha picha</translation>
    </message>
    <message>
        <source>WebP data ends early: %1 of %2 bytes present</source>
        <translation>Data ya WebP inaishia mapema: baiti %1 kati ya %2 zipo</translation>
    </message>
    <message>
        <source>BMP data ends inside its header</source>
        <translation>Data ya BMP inaishia ndani ya kichwa chake</translation>
    </message>
    <message>
        <source>BMP header has an unknown size (%1)</source>
        <translation>Kichwa cha BMP kina ukubwa usiojulikana (%1)</translation>
    </message>
    <message>
        <source>BMP with embedded JPEG or PNG data is not supported</source>
        <translation>BMP yenye data ya JPEG au PNG ndani yake haiungwi mkono</translation>
    </message>
    <message>
        <source>BMP header has an invalid pixel format (%1 bits, compression %2)</source>
        <translation>Kichwa cha BMP kina muundo wa pikseli usio sahihi (biti %1, mbano %2)</translation>
    </message>
    <message>
        <source>BMP header has a bad pixel data offset</source>
        <translation>Kichwa cha BMP kina nafasi mbaya ya data ya pikseli</translation>
    </message>
    <message>
        <source>BMP data ends early: %1 of %2 bytes present</source>
        <translation>Data ya BMP inaishia mapema: baiti %1 kati ya %2 zipo</translation>
    </message>
    <message>
        <source>looks like a PDF document</source>
        <translation>inaonekana kama hati ya PDF</translation>
    </message>
    <message>
        <source>looks like a ZIP archive</source>
        <translation>inaonekana kama kumbukumbu ya ZIP</translation>
    </message>
    <message>
        <source>looks like a video or other ISO media file</source>
        <translation>inaonekana kama video au faili nyingine ya media ya ISO</translation>
    </message>
    <message>
        <source>looks like a RIFF file that is not WebP</source>
        <translation>inaonekana kama faili ya RIFF ambayo si WebP</translation>
    </message>
    <message>
        <source>looks like gzip-compressed data</source>
        <translation>inaonekana kama data iliyobanwa kwa gzip</translation>
    </message>
    <message>
        <source>looks like an SQLite database</source>
        <translation>inaonekana kama hifadhidata ya SQLite</translation>
    </message>
    <message>
        <source>looks like text</source>
        <translation>inaonekana kama maandishi</translation>
    </message>
    <message>
        <source>The file is empty</source>
        <translation>Faili ni tupu</translation>
    </message>
    <message>
        <source>%1 files are not supported</source>
        <translation>Faili za %1 haziungwi mkono</translation>
    </message>
    <message>
        <source>The data ends inside the image header</source>
        <translation>Data inaishia ndani ya kichwa cha picha</translation>
    </message>
    <message>
        <source>%1 images are not supported</source>
        <translation>Picha za %1 haziungwi mkono</translation>
    </message>
    <message>
        <source>The data is not a recognised image</source>
        <translation>Data si picha inayotambulika</translation>
    </message>
    <message>
        <source>The data is not a recognised image (%1)</source>
        <translation>Data si picha inayotambulika (%1)</translation>
    </message>
    <message>
        <source>%1 header gives an impossible image size (%2 x %3)</source>
        <translation>Kichwa cha %1 kinatoa ukubwa wa picha usiowezekana (%2 x %3)</translation>
    </message>
    <message>
        <source>%1 x %2 pixels exceeds the limit of %3 megapixels</source>
        <translation>Pikseli %1 x %2 zinazidi kikomo cha megapikseli %3</translation>
    </message>
    <message>
        <source>TIFF data ends inside its header</source>
        <translation>Data ya TIFF inaishia ndani ya kichwa chake</translation>
    </message>
    <message>
        <source>TIFF header is damaged</source>
        <translation>Kichwa cha TIFF kimeharibika</translation>
    </message>
    <message>
        <source>TIFF header has no valid image directory</source>
        <translation>Kichwa cha TIFF hakina saraka sahihi ya picha</translation>
    </message>
    <message>
        <source>TIFF image directory is empty</source>
        <translation>Saraka ya picha ya TIFF ni tupu</translation>
    </message>
    <message>
        <source>DNG camera raw files are not supported</source>
        <translation>Faili ghafi za kamera za DNG haziungwi mkono</translation>
    </message>
    <message>
        <source>TIFF image directory has no image size</source>
        <translation>Saraka ya picha ya TIFF haina ukubwa wa picha</translation>
    </message>
    <message>
        <source>TIFF first image is a reduced-resolution preview (camera raw file?)</source>
        <translation>Picha ya kwanza ya TIFF ni onyesho la ubora mdogo (faili ghafi ya kamera?)</translation>
    </message>
    <message>
        <source>TIFF image directory has no image data</source>
        <translation>Saraka ya picha ya TIFF haina data ya picha</translation>
    </message>
    <message>
        <source>TIFF image data offsets are damaged</source>
        <translation>Nafasi za data ya picha ya TIFF zimeharibika</translation>
    </message>
    <message>
        <source>TIFF data ends early: %1 of %2 bytes present</source>
        <translation>Data ya TIFF inaishia mapema: baiti %1 kati ya %2 zipo</translation>
    </message>
</context>
<context>
    <name>dl::ImageService</name>
    <message>
        <source>There is no image %1 in the store.</source>
        <translation>Hakuna picha %1 kwenye hifadhi.</translation>
    </message>
</context>
<context>
    <name>dl::ImageSide</name>
    <message>
        <source>Cannot create the folder %1.</source>
        <translation>Imeshindwa kuunda folda %1.</translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>Imeshindwa kusoma %1: %2</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>Imeshindwa kuandika %1: %2</translation>
    </message>
    <message>
        <source>The image file %1 does not match its checksum; it was not copied (run dermlabel-cli check --verify-hashes on the source).</source>
        <translation>Faili ya picha %1 hailingani na checksum yake; haikunakiliwa (endesha dermlabel-cli check --verify-hashes kwenye chanzo).</translation>
    </message>
</context>
<context>
    <name>dl::ImportController</name>
    <message>
        <source>Reading %1…</source>
        <translation>Inasoma %1…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Ghairi</translation>
    </message>
    <message>
        <source>Importing images</source>
        <translation>Inaingiza picha</translation>
    </message>
    <message>
        <source>Stopping after the current batch; what was imported is kept…</source>
        <translation>Inasimama baada ya kundi la sasa; kilichoingizwa kinahifadhiwa…</translation>
    </message>
    <message>
        <source>Checking and copying images: %1 of %2</source>
        <translation>Inakagua na kunakili picha: %1 kati ya %2</translation>
    </message>
    <message>
        <source>Recording cases and labels: %1 of %2</source>
        <translation>Inarekodi kesi na lebo: %1 kati ya %2</translation>
    </message>
</context>
<context>
    <name>dl::ImportReport</name>
    <message>
        <source>%1 new images, %2 duplicates, %3 already imported.</source>
        <translation>Picha mpya %1, nakala %2, %3 zilikuwa zimeshaingizwa.</translation>
    </message>
    <message>
        <source>%1 new cases, %2 already known; %3 new reference labels.</source>
        <translation>Kesi mpya %1, %2 zinajulikana tayari; lebo mpya za marejeo %3.</translation>
    </message>
    <message>
        <source>%1 images may show a face: flagged for suitability review.</source>
        <translation>Picha %1 huenda zinaonyesha uso: zimewekewa alama kwa mapitio ya kufaa.</translation>
    </message>
    <message>
        <source>%1 files rejected.</source>
        <translation>Faili %1 zimekataliwa.</translation>
    </message>
    <message>
        <source>%1 referenced files missing.</source>
        <translation>Faili %1 zilizorejelewa hazipo.</translation>
    </message>
    <message>
        <source>An interrupted import of this source was resumed.</source>
        <translation>Uingizaji uliokatizwa wa chanzo hiki umeendelezwa.</translation>
    </message>
    <message>
        <source>Cancelled: what was read so far is kept; run the same import again to continue.</source>
        <translation>Imeghairiwa: kilichosomwa hadi sasa kinahifadhiwa; endesha uingizaji huo huo tena ili kuendelea.</translation>
    </message>
</context>
<context>
    <name>dl::ImportRun</name>
    <message>
        <source>The store could not be updated: %1</source>
        <translation>Hifadhi haikuweza kusasishwa: %1</translation>
    </message>
    <message>
        <source>The face check did not run: %1</source>
        <translation>Ukaguzi wa nyuso haukuendeshwa: %1</translation>
    </message>
    <message>
        <source>%1 cases have no importable image and were not added.</source>
        <translation>Kesi %1 hazina picha inayoweza kuingizwa na hazikuongezwa.</translation>
    </message>
    <message>
        <source>The end of the import could not be recorded: %1</source>
        <translation>Mwisho wa uingizaji haukuweza kurekodiwa: %1</translation>
    </message>
</context>
<context>
    <name>dl::ImportService</name>
    <message>
        <source>%1 is not a folder.</source>
        <translation>%1 si folda.</translation>
    </message>
    <message>
        <source>The folder %1 does not exist.</source>
        <translation>Folda %1 haipo.</translation>
    </message>
</context>
<context>
    <name>dl::InterchangeImporter</name>
    <message>
        <source>Name the rater the labels belong to.</source>
        <translation>Taja mtathmini ambaye lebo ni zake.</translation>
    </message>
    <message>
        <source>%1 has the role %2. Imported labels must belong to a dermatologist (annotator): QA leads and administrators do not label images, and agreement statistics count dermatologists only. Choose another name.</source>
        <translation>%1 ana jukumu %2. Lebo zilizoingizwa lazima ziwe za daktari wa ngozi (mweka lebo): viongozi wa ubora na wasimamizi hawaweki lebo kwenye picha, na takwimu za makubaliano huhesabu madaktari wa ngozi tu. Chagua jina lingine.</translation>
    </message>
    <message>
        <source>Cannot read the image %1: %2</source>
        <translation>Imeshindwa kusoma picha %1: %2</translation>
    </message>
    <message>
        <source>The image %1 is not in the store by content, and %2 store images were imported from files named %3: cannot tell which one is meant.</source>
        <translation>Picha %1 haipo kwenye hifadhi kwa maudhui yake, na picha %2 za hifadhi ziliingizwa kutoka faili zilizoitwa %3: haiwezekani kujua ni ipi inayokusudiwa.</translation>
    </message>
    <message>
        <source>The image %1 is not in the store: import the images first with import --folder.</source>
        <translation>Picha %1 haipo kwenye hifadhi: ingiza picha kwanza kwa import --folder.</translation>
    </message>
    <message>
        <source>The image file %1 does not exist and no store image was imported from a file of that name.</source>
        <translation>Faili ya picha %1 haipo na hakuna picha ya hifadhi iliyoingizwa kutoka faili ya jina hilo.</translation>
    </message>
    <message>
        <source>%1 refers to the same store image as %2, which was imported first; skipped.</source>
        <translation>%1 inarejelea picha ile ile ya hifadhi kama %2, iliyoingizwa kwanza; imerukwa.</translation>
    </message>
    <message>
        <source>The store image %1 vanished.</source>
        <translation>Picha ya hifadhi %1 imetoweka.</translation>
    </message>
    <message>
        <source>The file is for an image of %1 x %2, but the store image %3 is displayed %4 x %5; skipped.</source>
        <translation>Faili ni ya picha ya %1 x %2, lakini picha ya hifadhi %3 inaonyeshwa %4 x %5; imerukwa.</translation>
    </message>
    <message>
        <source>The label &quot;%1&quot; is neither a condition of the taxonomy nor identifying:&lt;kind&gt; (%2); its region was skipped.</source>
        <translation>Lebo &quot;%1&quot; si ugonjwa wa taksonomia wala identifying:&lt;kind&gt; (%2); eneo lake limerukwa.</translation>
    </message>
    <message>
        <source>The region labelled &quot;%1&quot; has no pixel inside the image; skipped.</source>
        <translation>Eneo lenye lebo &quot;%1&quot; halina pikseli ndani ya picha; limerukwa.</translation>
    </message>
    <message>
        <source>No region with a known label: nothing to import.</source>
        <translation>Hakuna eneo lenye lebo inayojulikana: hakuna cha kuingiza.</translation>
    </message>
    <message>
        <source>Nothing was written for this image: %1</source>
        <translation>Hakuna kilichoandikwa kwa picha hii: %1</translation>
    </message>
    <message>
        <source>%1 already answered &apos;cannot determine&apos; for this image: the region of %2 was skipped.</source>
        <translation>%1 tayari alijibu &apos;haiwezi kubainishwa&apos; kwa picha hii: eneo la %2 limerukwa.</translation>
    </message>
    <message>
        <source>At most %1 potential diagnoses: the region of %2 (one of the smallest) was skipped.</source>
        <translation>Utambuzi unaowezekana usiozidi %1: eneo la %2 (mojawapo ya madogo zaidi) limerukwa.</translation>
    </message>
    <message>
        <source>The labels of %1 were changed by another session during the import; import again.</source>
        <translation>Lebo za %1 zilibadilishwa na kipindi kingine wakati wa uingizaji; ingiza tena.</translation>
    </message>
    <message>
        <source>%1 is not a folder: give the folder that holds the LabelMe JSON files.</source>
        <translation>%1 si folda: toa folda yenye faili za JSON za LabelMe.</translation>
    </message>
    <message>
        <source>There is no folder %1.</source>
        <translation>Hakuna folda %1.</translation>
    </message>
    <message>
        <source>There are no LabelMe files (*.json) under %1.</source>
        <translation>Hakuna faili za LabelMe (*.json) chini ya %1.</translation>
    </message>
    <message>
        <source>Cannot read the file: %1</source>
        <translation>Imeshindwa kusoma faili: %1</translation>
    </message>
    <message>
        <source>Not a LabelMe file: %1</source>
        <translation>Si faili ya LabelMe: %1</translation>
    </message>
    <message>
        <source>There is no COCO file %1.</source>
        <translation>Hakuna faili ya COCO %1.</translation>
    </message>
    <message>
        <source>Give the folder the COCO file&apos;s images are in.</source>
        <translation>Toa folda ambamo picha za faili ya COCO zipo.</translation>
    </message>
    <message>
        <source>There is no folder %1 for the COCO images.</source>
        <translation>Hakuna folda %1 ya picha za COCO.</translation>
    </message>
    <message>
        <source>Cannot import %1: %2</source>
        <translation>Imeshindwa kuingiza %1: %2</translation>
    </message>
</context>
<context>
    <name>dl::InterchangeReport</name>
    <message>
        <source>Read %1 COCO image entries</source>
        <translation>Vipengele %1 vya picha za COCO vimesomwa</translation>
    </message>
    <message>
        <source>Read %1 LabelMe files</source>
        <translation>Faili %1 za LabelMe zimesomwa</translation>
    </message>
    <message>
        <source>: %1 images matched in the store (%2 by file name), %3 updated, %4 already up to date; %5 annotations and %6 masks written for %7; %8 skipped, %9 warnings.</source>
        <translation>: picha %1 zimelinganishwa kwenye hifadhi (%2 kwa jina la faili), %3 zimesasishwa, %4 tayari zilikuwa za kisasa; maelezo %5 na maski %6 zimeandikwa kwa %7; %8 zimerukwa, maonyo %9.</translation>
    </message>
    <message>
        <source>Created the dermatologist account %1, disabled: it cannot sign in until an administrator enables it and sets a password (workstation: Users).</source>
        <translation>Akaunti ya daktari wa ngozi %1 imeundwa, ikiwa imezimwa: haiwezi kuingia hadi msimamizi aiwashe na kuweka nenosiri (kituo cha kazi: Watumiaji).</translation>
    </message>
    <message>
        <source>Cancelled: the images done so far are stored; run the same import again to finish.</source>
        <translation>Imeghairiwa: picha zilizokamilika hadi sasa zimehifadhiwa; endesha uingizaji huo huo tena ili kumaliza.</translation>
    </message>
</context>
<context>
    <name>dl::JpegValidator</name>
    <message>
        <source>JPEG file has more than one frame header</source>
        <translation>Faili ya JPEG ina zaidi ya kichwa kimoja cha fremu</translation>
    </message>
    <message>
        <source>lossless or hierarchical JPEG is not supported</source>
        <translation>JPEG isiyopoteza ubora au ya kihierarkia haiungwi mkono</translation>
    </message>
    <message>
        <source>JPEG frame header is too short</source>
        <translation>Kichwa cha fremu ya JPEG ni kifupi mno</translation>
    </message>
    <message>
        <source>%1-bit JPEG is not supported</source>
        <translation>JPEG ya biti %1 haiungwi mkono</translation>
    </message>
    <message>
        <source>JPEG frame header gives an impossible image size (%1 x %2)</source>
        <translation>Kichwa cha fremu ya JPEG kinatoa ukubwa wa picha usiowezekana (%1 x %2)</translation>
    </message>
    <message>
        <source>JPEG frame header is damaged</source>
        <translation>Kichwa cha fremu ya JPEG kimeharibika</translation>
    </message>
    <message>
        <source>JPEG image is too large to check</source>
        <translation>Picha ya JPEG ni kubwa mno kukaguliwa</translation>
    </message>
    <message>
        <source>JPEG frame header has bad sampling factors</source>
        <translation>Kichwa cha fremu ya JPEG kina vipengele vibaya vya sampuli</translation>
    </message>
    <message>
        <source>JPEG Huffman table is damaged</source>
        <translation>Jedwali la Huffman la JPEG limeharibika</translation>
    </message>
    <message>
        <source>JPEG quantisation table is damaged</source>
        <translation>Jedwali la ukadiriaji la JPEG limeharibika</translation>
    </message>
    <message>
        <source>JPEG image data is damaged: %1 unexpected bytes before byte %2</source>
        <translation>Data ya picha ya JPEG imeharibika: baiti %1 zisizotarajiwa kabla ya baiti %2</translation>
    </message>
    <message>
        <source>JPEG data ends inside the image data (scan %1, %2 of %3 blocks)</source>
        <translation>Data ya JPEG inaishia ndani ya data ya picha (skani %1, vitalu %2 kati ya %3)</translation>
    </message>
    <message>
        <source>JPEG image data ends early (scan %1, %2 of %3 blocks)</source>
        <translation>Data ya picha ya JPEG inaishia mapema (skani %1, vitalu %2 kati ya %3)</translation>
    </message>
    <message>
        <source>JPEG image data is damaged: unexpected marker 0x%1 at byte %2 (scan %3)</source>
        <translation>Data ya picha ya JPEG imeharibika: alama isiyotarajiwa 0x%1 kwenye baiti %2 (skani %3)</translation>
    </message>
    <message>
        <source>JPEG image data starts before the frame header</source>
        <translation>Data ya picha ya JPEG inaanza kabla ya kichwa cha fremu</translation>
    </message>
    <message>
        <source>JPEG scan header is damaged</source>
        <translation>Kichwa cha skani ya JPEG kimeharibika</translation>
    </message>
    <message>
        <source>JPEG scan header names an unknown component</source>
        <translation>Kichwa cha skani ya JPEG kinataja kijenzi kisichojulikana</translation>
    </message>
    <message>
        <source>JPEG progressive scan parameters are invalid</source>
        <translation>Vigezo vya skani ya hatua kwa hatua ya JPEG si sahihi</translation>
    </message>
    <message>
        <source>JPEG scan uses an undefined quantisation table</source>
        <translation>Skani ya JPEG inatumia jedwali la ukadiriaji lisilofafanuliwa</translation>
    </message>
    <message>
        <source>JPEG image data is damaged: restart marker out of sequence at byte %1</source>
        <translation>Data ya picha ya JPEG imeharibika: alama ya kuanza upya nje ya mfuatano kwenye baiti %1</translation>
    </message>
    <message>
        <source>invalid Huffman code</source>
        <translation>msimbo wa Huffman si sahihi</translation>
    </message>
    <message>
        <source>impossible coefficient</source>
        <translation>kigawo kisichowezekana</translation>
    </message>
    <message>
        <source>impossible DC value</source>
        <translation>thamani ya DC isiyowezekana</translation>
    </message>
    <message>
        <source>JPEG image data is damaged: %1 near byte %2 (scan %3)</source>
        <translation>Data ya picha ya JPEG imeharibika: %1 karibu na baiti %2 (skani %3)</translation>
    </message>
    <message>
        <source>The data is not a JPEG image</source>
        <translation>Data si picha ya JPEG</translation>
    </message>
    <message>
        <source>JPEG data ends before the end-of-image marker</source>
        <translation>Data ya JPEG inaishia kabla ya alama ya mwisho wa picha</translation>
    </message>
    <message>
        <source>JPEG data ends inside its header</source>
        <translation>Data ya JPEG inaishia ndani ya kichwa chake</translation>
    </message>
    <message>
        <source>JPEG file ends before any image data</source>
        <translation>Faili ya JPEG inaishia kabla ya data yoyote ya picha</translation>
    </message>
    <message>
        <source>JPEG data is damaged: unexpected marker 0x%1 at byte %2</source>
        <translation>Data ya JPEG imeharibika: alama isiyotarajiwa 0x%1 kwenye baiti %2</translation>
    </message>
    <message>
        <source>JPEG data is damaged: bad segment length at byte %1</source>
        <translation>Data ya JPEG imeharibika: urefu mbaya wa sehemu kwenye baiti %1</translation>
    </message>
    <message>
        <source>JPEG data ends inside a marker segment</source>
        <translation>Data ya JPEG inaishia ndani ya sehemu ya alama</translation>
    </message>
    <message>
        <source>JPEG restart interval segment is damaged</source>
        <translation>Sehemu ya kipindi cha kuanza upya ya JPEG imeharibika</translation>
    </message>
</context>
<context>
    <name>dl::LabelConflictPanel</name>
    <message>
        <source>&lt;b&gt;Not saved: these labels were changed elsewhere&lt;/b&gt; (in another window or on another workstation) since they were opened here. Nothing was overwritten.</source>
        <translation>&lt;b&gt;Haijahifadhiwa: lebo hizi zilibadilishwa kwingine&lt;/b&gt; (katika dirisha lingine au kwenye kituo kingine cha kazi) tangu zifunguliwe hapa. Hakuna kilichoandikwa juu yake.</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>Sehemu</translation>
    </message>
    <message>
        <source>Stored now</source>
        <translation>Zilizohifadhiwa sasa</translation>
    </message>
    <message>
        <source>Yours (not saved)</source>
        <translation>Zako (hazijahifadhiwa)</translation>
    </message>
    <message>
        <source>&amp;Keep stored labels</source>
        <translation>&amp;Baki na lebo zilizohifadhiwa</translation>
    </message>
    <message>
        <source>Your edits are replaced by the stored labels (Undo brings them back).</source>
        <translation>Mabadiliko yako yanabadilishwa na lebo zilizohifadhiwa (Tendua huyarudisha).</translation>
    </message>
    <message>
        <source>&amp;Overwrite with mine</source>
        <translation>&amp;Andika juu kwa zangu</translation>
    </message>
    <message>
        <source>Your labels are saved over the stored ones.</source>
        <translation>Lebo zako zinahifadhiwa juu ya zilizohifadhiwa.</translation>
    </message>
    <message>
        <source>Cannot determine</source>
        <translation>Haiwezi kubainishwa</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Dokezo</translation>
    </message>
    <message>
        <source>Confidence, rank %1</source>
        <translation>Uhakika, nafasi %1</translation>
    </message>
    <message>
        <source>Not answered</source>
        <translation>Haijajibiwa</translation>
    </message>
    <message>
        <source>Region: %1</source>
        <translation>Eneo: %1</translation>
    </message>
    <message>
        <source>Drawn elsewhere</source>
        <translation>Lilichorwa kwingine</translation>
    </message>
    <message>
        <source>Your drawing (not saved)</source>
        <translation>Mchoro wako (haujahifadhiwa)</translation>
    </message>
</context>
<context>
    <name>dl::LabelFields</name>
    <message>
        <source>Gradable</source>
        <translation>Inatathminika</translation>
    </message>
    <message>
        <source>Reason not gradable</source>
        <translation>Sababu ya kutotathminika</translation>
    </message>
    <message>
        <source>Visible skin condition</source>
        <translation>Ugonjwa wa ngozi unaoonekana</translation>
    </message>
    <message>
        <source>Sensitive content</source>
        <translation>Maudhui nyeti</translation>
    </message>
    <message>
        <source>Diagnosis, rank 1 (top-1)</source>
        <translation>Utambuzi, nafasi ya 1 (top-1)</translation>
    </message>
    <message>
        <source>Diagnosis, rank 2</source>
        <translation>Utambuzi, nafasi ya 2</translation>
    </message>
    <message>
        <source>Diagnosis, rank 3</source>
        <translation>Utambuzi, nafasi ya 3</translation>
    </message>
    <message>
        <source>Diagnosis (weighted)</source>
        <translation>Utambuzi (wenye uzito)</translation>
    </message>
    <message>
        <source>Fitzpatrick type</source>
        <translation>Aina ya ngozi ya Fitzpatrick</translation>
    </message>
    <message>
        <source>Fitzpatrick gradable</source>
        <translation>Fitzpatrick inatathminika</translation>
    </message>
    <message>
        <source>Monk skin tone</source>
        <translation>Rangi ya ngozi ya Monk</translation>
    </message>
    <message>
        <source>Monk tone gradable</source>
        <translation>Rangi ya Monk inatathminika</translation>
    </message>
    <message>
        <source>Identifying: %1</source>
        <extracomment>%1 is a kind of identifying content as the label form names it, with a lower-case initial.</extracomment>
        <translation>Kinachotambulisha: %1</translation>
    </message>
</context>
<context>
    <name>dl::LabelForm</name>
    <message>
        <source>&amp;Quality</source>
        <translation>&amp;Ubora</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>Ndiyo</translation>
    </message>
    <message>
        <source>Gradable for a skin condition (G)</source>
        <translation>Inatathminika kwa ugonjwa wa ngozi (G)</translation>
    </message>
    <message>
        <source>No</source>
        <translation>Hapana</translation>
    </message>
    <message>
        <source>Not gradable (Shift+G)</source>
        <translation>Haitathminiki (Shift+G)</translation>
    </message>
    <message>
        <source>Gradable</source>
        <translation>Inatathminika</translation>
    </message>
    <message>
        <source>Gradable: yes</source>
        <translation>Inatathminika: ndiyo</translation>
    </message>
    <message>
        <source>Gradable: no</source>
        <translation>Inatathminika: hapana</translation>
    </message>
    <message>
        <source>Choose a reason…</source>
        <translation>Chagua sababu…</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Sababu</translation>
    </message>
    <message>
        <source>Not gradable because: %1</source>
        <translation>Haitathminiki kwa sababu: %1</translation>
    </message>
    <message>
        <source>S&amp;uitability</source>
        <translation>U&amp;faaji</translation>
    </message>
    <message>
        <source>Shows a visible skin condition (V)</source>
        <translation>Inaonyesha ugonjwa wa ngozi unaoonekana (V)</translation>
    </message>
    <message>
        <source>Shows no visible skin condition (N)</source>
        <translation>Haionyeshi ugonjwa wa ngozi unaoonekana (N)</translation>
    </message>
    <message>
        <source>Unsure</source>
        <translation>Sina uhakika</translation>
    </message>
    <message>
        <source>Unsure whether a skin condition is visible (U)</source>
        <translation>Sina uhakika kama ugonjwa wa ngozi unaonekana (U)</translation>
    </message>
    <message>
        <source>Visible skin condition</source>
        <translation>Ugonjwa wa ngozi unaoonekana</translation>
    </message>
    <message>
        <source>Visible skin condition: %1</source>
        <translation>Ugonjwa wa ngozi unaoonekana: %1</translation>
    </message>
    <message>
        <source>Sensitive content (S toggles)</source>
        <translation>Maudhui nyeti (S hubadilisha)</translation>
    </message>
    <message>
        <source>No sensitive content (S toggles)</source>
        <translation>Hakuna maudhui nyeti (S hubadilisha)</translation>
    </message>
    <message>
        <source>Sensitive content</source>
        <translation>Maudhui nyeti</translation>
    </message>
    <message>
        <source>Sensitive content: yes</source>
        <translation>Maudhui nyeti: ndiyo</translation>
    </message>
    <message>
        <source>Sensitive content: no</source>
        <translation>Maudhui nyeti: hapana</translation>
    </message>
    <message>
        <source>Identifying content</source>
        <translation>Maudhui yanayotambulisha</translation>
    </message>
    <message>
        <source>Identifying content: %1</source>
        <translation>Maudhui yanayotambulisha: %1</translation>
    </message>
    <message>
        <source>No identifying content: %1</source>
        <translation>Hakuna maudhui yanayotambulisha: %1</translation>
    </message>
    <message>
        <source>Potential &amp;diagnoses</source>
        <translation>U&amp;tambuzi unaowezekana</translation>
    </message>
    <message>
        <source>Cannot determine</source>
        <translation>Haiwezi kubainishwa</translation>
    </message>
    <message>
        <source>No diagnosis can be given from this image (C)</source>
        <translation>Hakuna utambuzi unaoweza kutolewa kutokana na picha hii (C)</translation>
    </message>
    <message>
        <source>Diagnosis: cannot determine</source>
        <translation>Utambuzi: haiwezi kubainishwa</translation>
    </message>
    <message>
        <source>Diagnosis: can be determined</source>
        <translation>Utambuzi: unaweza kubainishwa</translation>
    </message>
    <message>
        <source>Skin &amp;type</source>
        <translation>&amp;Aina ya ngozi</translation>
    </message>
    <message>
        <source>Fitzpatrick</source>
        <translation>Fitzpatrick</translation>
    </message>
    <message>
        <source>Fitzpatrick type %1 (F then %2)</source>
        <translation>Aina ya ngozi ya Fitzpatrick %1 (F kisha %2)</translation>
    </message>
    <message>
        <source>Not gradable</source>
        <translation>Haitathminiki</translation>
    </message>
    <message>
        <source>Fitzpatrick type not gradable (F then N)</source>
        <translation>Aina ya ngozi ya Fitzpatrick haitathminiki (F kisha N)</translation>
    </message>
    <message>
        <source>Fitzpatrick type: %1</source>
        <translation>Aina ya ngozi ya Fitzpatrick: %1</translation>
    </message>
    <message>
        <source>Monk skin tone</source>
        <translation>Rangi ya ngozi ya Monk</translation>
    </message>
    <message>
        <source>Monk skin tone: not gradable</source>
        <translation>Rangi ya ngozi ya Monk: haitathminiki</translation>
    </message>
    <message>
        <source>Monk skin tone: %1</source>
        <translation>Rangi ya ngozi ya Monk: %1</translation>
    </message>
    <message>
        <source>N&amp;ote</source>
        <translation>&amp;Dokezo</translation>
    </message>
    <message>
        <source>Anything a reviewer should know about this image</source>
        <translation>Chochote ambacho mkaguzi anapaswa kujua kuhusu picha hii</translation>
    </message>
    <message>
        <source>Edit note</source>
        <translation>Hariri dokezo</translation>
    </message>
    <message>
        <source>Diagnosis %1: %2</source>
        <translation>Utambuzi %1: %2</translation>
    </message>
    <message>
        <source>Diagnosis %1 confidence: %2</source>
        <translation>Uhakika wa utambuzi %1: %2</translation>
    </message>
    <message>
        <source>Remove diagnosis %1: %2</source>
        <translation>Ondoa utambuzi %1: %2</translation>
    </message>
    <message>
        <source>Complete</source>
        <translation>Imekamilika</translation>
    </message>
    <message>
        <source>Not started: 6 questions, gradability first</source>
        <translation>Haijaanzwa: maswali 6, kutathminika kwanza</translation>
    </message>
    <message>
        <source>1 question left</source>
        <translation>Swali 1 limebaki</translation>
    </message>
    <message>
        <source>%1 questions left</source>
        <translation>Maswali %1 yamebaki</translation>
    </message>
    <message>
        <source>  ·  Fitzpatrick: press 1-6 or N</source>
        <translation>  ·  Fitzpatrick: bonyeza 1-6 au N</translation>
    </message>
    <message>
        <source>  ·  Monk tone: press 1-9, 0 (10) or N</source>
        <translation>  ·  Rangi ya Monk: bonyeza 1-9, 0 (10) au N</translation>
    </message>
    <message>
        <source>  ·  read only</source>
        <translation>  ·  kusoma tu</translation>
    </message>
    <message>
        <source>Visible skin condition: yes</source>
        <translation>Ugonjwa wa ngozi unaoonekana: ndiyo</translation>
    </message>
    <message>
        <source>Visible skin condition: no</source>
        <translation>Ugonjwa wa ngozi unaoonekana: hapana</translation>
    </message>
    <message>
        <source>Visible skin condition: unsure</source>
        <translation>Ugonjwa wa ngozi unaoonekana: sina uhakika</translation>
    </message>
    <message>
        <source>Sensitive content: toggle yes / no</source>
        <translation>Maudhui nyeti: badilisha ndiyo / hapana</translation>
    </message>
    <message>
        <source>Go to the first empty diagnosis</source>
        <translation>Nenda kwenye utambuzi wa kwanza ulio tupu</translation>
    </message>
    <message>
        <source>Confidence of the diagnosis that has the focus</source>
        <translation>Uhakika wa utambuzi ulio na fokasi</translation>
    </message>
    <message>
        <source>Diagnosis: toggle cannot determine</source>
        <translation>Utambuzi: badilisha haiwezi kubainishwa</translation>
    </message>
    <message>
        <source>Fitzpatrick type I - VI</source>
        <translation>Aina ya ngozi ya Fitzpatrick I - VI</translation>
    </message>
    <message>
        <source>Fitzpatrick type not gradable</source>
        <translation>Aina ya ngozi ya Fitzpatrick haitathminiki</translation>
    </message>
    <message>
        <source>Monk skin tone 1 - 10 (0 is 10)</source>
        <translation>Rangi ya ngozi ya Monk 1 - 10 (0 ni 10)</translation>
    </message>
    <message>
        <source>Monk skin tone not gradable</source>
        <translation>Rangi ya ngozi ya Monk haitathminiki</translation>
    </message>
    <message>
        <source>Go to Quality, Suitability, Diagnoses, Skin type, Note</source>
        <translation>Nenda kwenye Ubora, Ufaaji, Utambuzi, Aina ya ngozi, Dokezo</translation>
    </message>
</context>
<context>
    <name>dl::LabelMeReader</name>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>Imeshindwa kusoma %1: %2</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>The LabelMe file says the image is %1 x %2, but it is %3 x %4.</source>
        <translation>Faili ya LabelMe inasema picha ni %1 x %2, lakini ni %3 x %4.</translation>
    </message>
    <message>
        <source>The LabelMe file says the image is %1 x %2, more than %3 megapixels: refused before drawing any shape.</source>
        <translation>Faili ya LabelMe inasema picha ni %1 x %2, zaidi ya megapikseli %3: imekataliwa kabla ya kuchora umbo lolote.</translation>
    </message>
    <message>
        <source>The LabelMe file has no &quot;shapes&quot; array.</source>
        <translation>Faili ya LabelMe haina safu &quot;shapes&quot;.</translation>
    </message>
    <message>
        <source>shapes[%1] is not an object.</source>
        <translation>shapes[%1] si kitu.</translation>
    </message>
    <message>
        <source>shapes[%1] has no &quot;label&quot;.</source>
        <translation>shapes[%1] haina &quot;label&quot;.</translation>
    </message>
    <message>
        <source>shapes[%1] (&quot;%2&quot;)</source>
        <translation>shapes[%1] (&quot;%2&quot;)</translation>
    </message>
    <message>
        <source>%1: &quot;shape_type&quot; is not a string.</source>
        <translation>%1: &quot;shape_type&quot; si mfuatano wa herufi.</translation>
    </message>
    <message>
        <source>%1: &quot;points&quot; must be a list of [x, y] number pairs.</source>
        <translation>%1: &quot;points&quot; lazima iwe orodha ya jozi za namba [x, y].</translation>
    </message>
    <message>
        <source>%1: a polygon with fewer than 3 points; ignored.</source>
        <translation>%1: poligoni yenye pointi chini ya 3; imepuuzwa.</translation>
    </message>
    <message>
        <source>%1: a rectangle needs 2 points; ignored.</source>
        <translation>%1: mstatili unahitaji pointi 2; umepuuzwa.</translation>
    </message>
    <message>
        <source>%1: a circle needs 2 points; ignored.</source>
        <translation>%1: duara linahitaji pointi 2; limepuuzwa.</translation>
    </message>
    <message>
        <source>%1: %2 shapes are not regions; ignored.</source>
        <translation>%1: maumbo ya %2 si maeneo; yamepuuzwa.</translation>
    </message>
    <message>
        <source>%1: unknown shape type &quot;%2&quot;; ignored.</source>
        <translation>%1: aina ya umbo isiyojulikana &quot;%2&quot;; imepuuzwa.</translation>
    </message>
</context>
<context>
    <name>dl::LabelMeWriter</name>
    <message>
        <source>A LabelMe file needs an image path.</source>
        <translation>Faili ya LabelMe inahitaji njia ya picha.</translation>
    </message>
    <message>
        <source>Invalid image size %1 x %2.</source>
        <translation>Ukubwa wa picha si sahihi %1 x %2.</translation>
    </message>
    <message>
        <source>The &quot;%1&quot; mask is %2 x %3 (type %4), not %5 x %6 8-bit.</source>
        <translation>Maski &quot;%1&quot; ni %2 x %3 (aina %4), si %5 x %6 ya biti 8.</translation>
    </message>
    <message>
        <source>The &quot;%1&quot; mask could not be encoded.</source>
        <translation>Maski &quot;%1&quot; haikuweza kusimbwa.</translation>
    </message>
</context>
<context>
    <name>dl::LabelVocabulary</name>
    <message>
        <source>Blurry</source>
        <translation>Yenye ukungu</translation>
    </message>
    <message>
        <source>Poor lighting</source>
        <translation>Mwanga hafifu</translation>
    </message>
    <message>
        <source>Too far</source>
        <translation>Mbali mno</translation>
    </message>
    <message>
        <source>Cropped or obstructed</source>
        <translation>Imekatwa au imezibwa</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>Nyingine</translation>
    </message>
    <message>
        <source>Face</source>
        <translation>Uso</translation>
    </message>
    <message>
        <source>Tattoo</source>
        <translation>Tatuu</translation>
    </message>
    <message>
        <source>Jewellery or birthmark</source>
        <translation>Vito au alama ya kuzaliwa</translation>
    </message>
    <message>
        <source>Background landmark</source>
        <translation>Alama ya mandharinyuma</translation>
    </message>
    <message>
        <source>Visible text</source>
        <translation>Maandishi yanayoonekana</translation>
    </message>
</context>
<context>
    <name>dl::LabellingDocument</name>
    <message>
        <source>Keep the stored labels</source>
        <translation>Baki na lebo zilizohifadhiwa</translation>
    </message>
</context>
<context>
    <name>dl::LabellingView</name>
    <message>
        <source>%1 of %2</source>
        <translation>%1 kati ya %2</translation>
    </message>
    <message>
        <source>Next Image</source>
        <translation>Picha Inayofuata</translation>
    </message>
    <message>
        <source>Previous Image</source>
        <translation>Picha Iliyotangulia</translation>
    </message>
    <message>
        <source>Skip Image</source>
        <translation>Ruka Picha</translation>
    </message>
    <message>
        <source>Flag for QA</source>
        <translation>Wekea Alama kwa Ubora</translation>
    </message>
    <message>
        <source>Saved</source>
        <translation>Imehifadhiwa</translation>
    </message>
    <message>
        <source>Not saved: %1</source>
        <translation>Haijahifadhiwa: %1</translation>
    </message>
    <message>
        <source>These labels are read-only: the mask tools are off.</source>
        <translation>Lebo hizi ni za kusoma tu: zana za maski zimezimwa.</translation>
    </message>
    <message>
        <source>No masks for this image.</source>
        <translation>Hakuna maski za picha hii.</translation>
    </message>
    <message>
        <source>The masks cannot be opened: %1</source>
        <translation>Maski haziwezi kufunguliwa: %1</translation>
    </message>
    <message>
        <source>The mask tools are on once the full image is loaded.</source>
        <translation>Zana za maski huwashwa picha kamili ikishapakiwa.</translation>
    </message>
    <message>
        <source>The image is %1 x %2 but its masks are %3 x %4: the mask tools are off.</source>
        <translation>Picha ni %1 x %2 lakini maski zake ni %3 x %4: zana za maski zimezimwa.</translation>
    </message>
    <message>
        <source>Zoom &amp;Out</source>
        <translation>Kuza &amp;Mbali</translation>
    </message>
    <message>
        <source>Zoom &amp;In</source>
        <translation>Kuza &amp;Karibu</translation>
    </message>
    <message>
        <source>&amp;Fit to Window</source>
        <translation>&amp;Tosheleza Dirisha</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>Tosheleza</translation>
    </message>
    <message>
        <source>&amp;Actual Size (100%)</source>
        <translation>Ukubwa &amp;Halisi (100%)</translation>
    </message>
    <message>
        <source>Brightness</source>
        <translation>Ung&apos;avu</translation>
    </message>
    <message>
        <source>Contrast</source>
        <translation>Utofautishaji</translation>
    </message>
    <message>
        <source>Brightness %1 (view only; Ctrl+B / Ctrl+Shift+B)</source>
        <translation>Ung&apos;avu %1 (onyesho tu; Ctrl+B / Ctrl+Shift+B)</translation>
    </message>
    <message>
        <source>Contrast %1 (view only; Ctrl+E / Ctrl+Shift+E)</source>
        <translation>Utofautishaji %1 (onyesho tu; Ctrl+E / Ctrl+Shift+E)</translation>
    </message>
    <message>
        <source>&amp;Brighter</source>
        <translation>Ng&apos;a&amp;vu Zaidi</translation>
    </message>
    <message>
        <source>Brighter</source>
        <translation>Ng&apos;avu zaidi</translation>
    </message>
    <message>
        <source>&amp;Darker</source>
        <translation>&amp;Giza Zaidi</translation>
    </message>
    <message>
        <source>Darker</source>
        <translation>Giza zaidi</translation>
    </message>
    <message>
        <source>&amp;More Contrast</source>
        <translation>Utofautishaji &amp;Zaidi</translation>
    </message>
    <message>
        <source>More contrast</source>
        <translation>Utofautishaji zaidi</translation>
    </message>
    <message>
        <source>&amp;Less Contrast</source>
        <translation>Utofautishaji M&amp;dogo</translation>
    </message>
    <message>
        <source>Less contrast</source>
        <translation>Utofautishaji mdogo</translation>
    </message>
    <message>
        <source>&amp;Reset View</source>
        <translation>&amp;Weka Upya Mwonekano</translation>
    </message>
    <message>
        <source>Reset</source>
        <translation>Weka upya</translation>
    </message>
    <message>
        <source>Zoom: fitted to the window</source>
        <translation>Kuza: imetoshelezwa kwenye dirisha</translation>
    </message>
    <message>
        <source>Zoom</source>
        <translation>Kuza</translation>
    </message>
    <message>
        <source>The image cannot be shown: %1</source>
        <translation>Picha haiwezi kuonyeshwa: %1</translation>
    </message>
    <message>
        <source>All images</source>
        <translation>Picha zote</translation>
    </message>
    <message>
        <source>To do</source>
        <translation>Za kufanya</translation>
    </message>
    <message>
        <source>In progress</source>
        <translation>Zinaendelea</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Zimekamilika</translation>
    </message>
    <message>
        <source>Skipped</source>
        <translation>Zimerukwa</translation>
    </message>
    <message>
        <source>Flagged for QA</source>
        <translation>Zimewekewa alama kwa ubora</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>Image %1 of %2 · %3</source>
        <translation>Picha %1 kati ya %2 · %3</translation>
    </message>
</context>
<context>
    <name>dl::LayerAgreementReport</name>
    <message>
        <source>A stored mask of image %1 (%2) cannot be read: %3</source>
        <translation>Maski iliyohifadhiwa ya picha %1 (%2) haisomeki: %3</translation>
    </message>
</context>
<context>
    <name>dl::MagicWandTool</name>
    <message>
        <source>Selecting…</source>
        <translation>Inachagua…</translation>
    </message>
    <message>
        <source>Wait for the segmentation to finish.</source>
        <translation>Subiri ugawaji umalizike.</translation>
    </message>
</context>
<context>
    <name>dl::MainWindow</name>
    <message>
        <source>Store</source>
        <translation>Hifadhi</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Faili</translation>
    </message>
    <message>
        <source>&amp;New Store…</source>
        <translation>Hifadhi &amp;Mpya…</translation>
    </message>
    <message>
        <source>&amp;Open Store…</source>
        <translation>&amp;Fungua Hifadhi…</translation>
    </message>
    <message>
        <source>Open &amp;Team Store…</source>
        <translation>Fungua Hifadhi ya &amp;Timu…</translation>
    </message>
    <message>
        <source>Open &amp;Recent</source>
        <translation>Fungua za &amp;Karibuni</translation>
    </message>
    <message>
        <source>&amp;Import</source>
        <translation>&amp;Ingiza</translation>
    </message>
    <message>
        <source>Image &amp;Folder…</source>
        <translation>&amp;Folda ya Picha…</translation>
    </message>
    <message>
        <source>Ctrl+I</source>
        <translation>Ctrl+I</translation>
    </message>
    <message>
        <source>&amp;SCIN Dataset…</source>
        <translation>Seti ya Data ya &amp;SCIN…</translation>
    </message>
    <message>
        <source>&amp;PASSION Dataset…</source>
        <translation>Seti ya Data ya &amp;PASSION…</translation>
    </message>
    <message>
        <source>Sign &amp;Out</source>
        <translation>T&amp;oka</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>Funga &amp;Programu</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Hariri</translation>
    </message>
    <message>
        <source>&amp;Preferences…</source>
        <translation>&amp;Mapendeleo…</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Mwonekano</translation>
    </message>
    <message>
        <source>&amp;Image</source>
        <translation>&amp;Picha</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>&amp;Zana</translation>
    </message>
    <message>
        <source>&amp;Admin</source>
        <translation>&amp;Usimamizi</translation>
    </message>
    <message>
        <source>&amp;Users…</source>
        <translation>&amp;Watumiaji…</translation>
    </message>
    <message>
        <source>&amp;Assign Images…</source>
        <translation>&amp;Gawa Picha…</translation>
    </message>
    <message>
        <source>&amp;Quality Dashboard</source>
        <translation>Dashibodi ya &amp;Ubora</translation>
    </message>
    <message>
        <source>&amp;Training Store: Show Reference Labels to Raters</source>
        <translation>Hifadhi ya &amp;Mafunzo: Onyesha Lebo za Marejeo kwa Watathmini</translation>
    </message>
    <message>
        <source>Training Store</source>
        <translation>Hifadhi ya Mafunzo</translation>
    </message>
    <message>
        <source>&amp;Export Bundle…</source>
        <translation>&amp;Hamisha Kifurushi…</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>M&amp;saada</translation>
    </message>
    <message>
        <source>&amp;Keyboard Shortcuts</source>
        <translation>&amp;Mikato ya Kibodi</translation>
    </message>
    <message>
        <source>&amp;About DermLabel</source>
        <translation>&amp;Kuhusu DermLabel</translation>
    </message>
    <message>
        <source>Cannot open the store</source>
        <translation>Imeshindwa kufungua hifadhi</translation>
    </message>
    <message>
        <source>Wait for the running import to finish first.</source>
        <translation>Subiri kwanza uingizaji unaoendelea umalizike.</translation>
    </message>
    <message>
        <source>Cannot sign in</source>
        <translation>Imeshindwa kuingia</translation>
    </message>
    <message>
        <source>&lt;b&gt;Welcome to DermLabel.&lt;/b&gt;</source>
        <translation>&lt;b&gt;Karibu DermLabel.&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Labels, images and users live in a store: a file on this computer, or a team store on your team&apos;s server. Create a new store, or open one that an administrator gave you.</source>
        <translation>Lebo, picha na watumiaji huishi kwenye hifadhi: faili kwenye kompyuta hii, au hifadhi ya timu kwenye seva ya timu yako. Unda hifadhi mpya, au fungua ile ambayo msimamizi alikupa.</translation>
    </message>
    <message>
        <source>Create Store…</source>
        <translation>Unda Hifadhi…</translation>
    </message>
    <message>
        <source>Open Store…</source>
        <translation>Fungua Hifadhi…</translation>
    </message>
    <message>
        <source>Open Team Store…</source>
        <translation>Fungua Hifadhi ya Timu…</translation>
    </message>
    <message>
        <source>DermLabel stores (*.dermlabel);;All files (*)</source>
        <translation>Hifadhi za DermLabel (*.dermlabel);;Faili zote (*)</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>&amp;Tendua</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>&amp;Rudia</translation>
    </message>
    <message>
        <source>Create Store</source>
        <translation>Unda Hifadhi</translation>
    </message>
    <message>
        <source>Open Store</source>
        <translation>Fungua Hifadhi</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>Ingiza</translation>
    </message>
    <message>
        <source>Choose the SCIN dataset folder</source>
        <translation>Chagua folda ya seti ya data ya SCIN</translation>
    </message>
    <message>
        <source>Choose the PASSION dataset folder</source>
        <translation>Chagua folda ya seti ya data ya PASSION</translation>
    </message>
    <message>
        <source>Choose a folder of images</source>
        <translation>Chagua folda ya picha</translation>
    </message>
    <message>
        <source>The import could not be done.</source>
        <translation>Uingizaji haukuweza kufanywa.</translation>
    </message>
    <message>
        <source>Import cancelled.</source>
        <translation>Uingizaji umeghairiwa.</translation>
    </message>
    <message>
        <source>Import finished.</source>
        <translation>Uingizaji umekamilika.</translation>
    </message>
    <message>
        <source>Interrupted import</source>
        <translation>Uingizaji uliokatizwa</translation>
    </message>
    <message>
        <source>An import of %1 started at %2 did not finish. Resume it now? Images already imported are kept and skipped.</source>
        <translation>Uingizaji wa %1 ulioanza %2 haukukamilika. Uendeleze sasa? Picha zilizokwisha ingizwa zinahifadhiwa na kurukwa.</translation>
    </message>
    <message>
        <source>%1 (%2) · %3</source>
        <translation>%1 (%2) · %3</translation>
    </message>
    <message>
        <source>No store open</source>
        <translation>Hakuna hifadhi iliyofunguliwa</translation>
    </message>
    <message>
        <source>Open a store to begin: File › Open Store, or File › Open Team Store for your team&apos;s server.</source>
        <translation>Fungua hifadhi ili kuanza: Faili › Fungua Hifadhi, au Faili › Fungua Hifadhi ya Timu kwa seva ya timu yako.</translation>
    </message>
    <message>
        <source>No images are assigned to you yet.
An administrator assigns the work.</source>
        <translation>Bado hujagawiwa picha yoyote.
Msimamizi hugawa kazi.</translation>
    </message>
    <message>
        <source>This store has no images yet.
Import a folder or a dataset: File › Import.</source>
        <translation>Hifadhi hii bado haina picha.
Ingiza folda au seti ya data: Faili › Ingiza.</translation>
    </message>
    <message>
        <source>&lt;p&gt;No store is open.&lt;/p&gt;&lt;p&gt;Use &lt;b&gt;File › New Store&lt;/b&gt;, &lt;b&gt;File › Open Store&lt;/b&gt; or, for your team&apos;s server, &lt;b&gt;File › Open Team Store&lt;/b&gt;.&lt;/p&gt;</source>
        <translation>&lt;p&gt;Hakuna hifadhi iliyofunguliwa.&lt;/p&gt;&lt;p&gt;Tumia &lt;b&gt;Faili › Hifadhi Mpya&lt;/b&gt;, &lt;b&gt;Faili › Fungua Hifadhi&lt;/b&gt; au, kwa seva ya timu yako, &lt;b&gt;Faili › Fungua Hifadhi ya Timu&lt;/b&gt;.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Your queue&lt;/h3&gt;&lt;table cellspacing=&apos;4&apos;&gt;&lt;tr&gt;&lt;td&gt;Assigned images&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%1&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Done&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%2&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;To go&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%3&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</source>
        <translation>&lt;h3&gt;Foleni yako ya kazi&lt;/h3&gt;&lt;table cellspacing=&apos;4&apos;&gt;&lt;tr&gt;&lt;td&gt;Picha ulizogawiwa&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%1&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Zimekamilika&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%2&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Zimebaki&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%3&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</translation>
    </message>
    <message>
        <source>%1 of %2 images done</source>
        <translation>Picha %1 kati ya %2 zimekamilika</translation>
    </message>
    <message>
        <source>&lt;h3&gt;%1&lt;/h3&gt;&lt;table cellspacing=&apos;4&apos;&gt;&lt;tr&gt;&lt;td&gt;Images&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%2&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Cases&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%3&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Reference labels&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%4&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Users&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%5&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Annotations&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%6&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Sources&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%7&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Image data&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%8 MB&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</source>
        <translation>&lt;h3&gt;%1&lt;/h3&gt;&lt;table cellspacing=&apos;4&apos;&gt;&lt;tr&gt;&lt;td&gt;Picha&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%2&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Kesi&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%3&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Lebo za marejeo&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%4&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Watumiaji&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%5&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Maelezo&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%6&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Vyanzo&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%7&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Data ya picha&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;MB %8&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</translation>
    </message>
    <message>
        <source>1 image</source>
        <translation>Picha 1</translation>
    </message>
    <message>
        <source>%1 images</source>
        <translation>Picha %1</translation>
    </message>
    <message>
        <source>%1 new assignments over %2 images.</source>
        <translation>Migawo mipya %1 kwenye picha %2.</translation>
    </message>
    <message>
        <source>The new language applies when DermLabel is restarted.</source>
        <translation>Lugha mpya itatumika DermLabel itakapoanzishwa upya.</translation>
    </message>
    <message>
        <source>About DermLabel</source>
        <translation>Kuhusu DermLabel</translation>
    </message>
    <message>
        <source>&lt;h3&gt;DermLabel %1&lt;/h3&gt;&lt;p&gt;An annotation workstation for de-identified dermatology images: quality, suitability, differential diagnoses, skin type and tone, and region masks, labelled by several dermatologists independently.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;DermLabel %1&lt;/h3&gt;&lt;p&gt;Kituo cha kazi cha kuweka maelezo kwenye picha za ngozi zisizotambulisha watu: ubora, ufaaji, utambuzi tofauti, aina na rangi ya ngozi, na maski za maeneo, zinazowekewa lebo na madaktari kadhaa wa ngozi kwa kujitegemea.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Import running</source>
        <translation>Uingizaji unaendelea</translation>
    </message>
    <message>
        <source>An import is running. Stop it and quit? What was imported so far is kept; the import can be resumed later.</source>
        <translation>Uingizaji unaendelea. Usimamishe na ufunge programu? Kilichoingizwa hadi sasa kinahifadhiwa; uingizaji unaweza kuendelezwa baadaye.</translation>
    </message>
</context>
<context>
    <name>dl::MaskCanvas</name>
    <message>
        <source>[ / ], Shift+wheel</source>
        <translation>[ / ], Shift+gurudumu</translation>
    </message>
    <message>
        <source>Brush smaller / larger</source>
        <translation>Brashi ndogo / kubwa zaidi</translation>
    </message>
    <message>
        <source>Shift+click or drag</source>
        <translation>Shift+bofya au buruta</translation>
    </message>
    <message>
        <source>Erase with a paint tool (brush, polygon, rectangle, fill, wand)</source>
        <translation>Futa kwa zana ya kupaka rangi (brashi, poligoni, mstatili, kujaza, fimbo)</translation>
    </message>
    <message>
        <source>Click, drag</source>
        <translation>Bofya, buruta</translation>
    </message>
    <message>
        <source>Polygon: add a vertex; drag draws a freehand lasso</source>
        <translation>Poligoni: ongeza kipeo; kuburuta huchora lasso kwa mkono</translation>
    </message>
    <message>
        <source>Enter, double-click</source>
        <translation>Enter, bofya mara mbili</translation>
    </message>
    <message>
        <source>Polygon: close and fill</source>
        <translation>Poligoni: funga na ujaze</translation>
    </message>
    <message>
        <source>Backspace</source>
        <translation>Backspace</translation>
    </message>
    <message>
        <source>Polygon: remove the last vertex</source>
        <translation>Poligoni: ondoa kipeo cha mwisho</translation>
    </message>
    <message>
        <source>Esc</source>
        <translation>Esc</translation>
    </message>
    <message>
        <source>Cancel the polygon, the running segmentation, or end the GrabCut session</source>
        <translation>Ghairi poligoni, ugawaji unaoendelea, au maliza kipindi cha GrabCut</translation>
    </message>
    <message>
        <source>Drag, then drag / right drag</source>
        <translation>Buruta, kisha buruta / buruta kwa kitufe cha kulia</translation>
    </message>
    <message>
        <source>GrabCut: box, then foreground / background strokes (or Alt+drag)</source>
        <translation>GrabCut: kisanduku, kisha mistari ya mbele / ya nyuma (au Alt+buruta)</translation>
    </message>
    <message>
        <source>Drag / right drag, Enter</source>
        <translation>Buruta / buruta kwa kitufe cha kulia, Enter</translation>
    </message>
    <message>
        <source>GrabCut from strokes: foreground / background strokes (or Alt+drag); segments when a foreground stroke ends, or on Enter</source>
        <translation>GrabCut kutoka kwa mistari: mistari ya mbele / ya nyuma (au Alt+buruta); hugawa mstari wa mbele unapoisha, au kwa Enter</translation>
    </message>
    <message>
        <source>The mask tools are off.</source>
        <translation>Zana za maski zimezimwa.</translation>
    </message>
    <message>
        <source>No masks for this image.</source>
        <translation>Hakuna maski za picha hii.</translation>
    </message>
    <message>
        <source>The image is %1 x %2 but its masks are %3 x %4: the tools are off.</source>
        <translation>Picha ni %1 x %2 lakini maski zake ni %3 x %4: zana zimezimwa.</translation>
    </message>
    <message>
        <source>Add a potential diagnosis or tick an identifying kind to draw its region.</source>
        <translation>Ongeza utambuzi unaowezekana au weka alama aina ya kinachotambulisha ili kuchora eneo lake.</translation>
    </message>
    <message>
        <source>Wait for the segmentation to finish.</source>
        <translation>Subiri ugawaji umalizike.</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>Imeghairiwa.</translation>
    </message>
</context>
<context>
    <name>dl::MaskCodec</name>
    <message>
        <source>The mask data is not a PNG image.</source>
        <translation>Data ya maski si picha ya PNG.</translation>
    </message>
    <message>
        <source>The mask PNG is damaged or truncated.</source>
        <translation>PNG ya maski imeharibika au imekatika.</translation>
    </message>
    <message>
        <source>The mask PNG is not an 8-bit greyscale image.</source>
        <translation>PNG ya maski si picha ya kijivu ya biti 8.</translation>
    </message>
    <message>
        <source>Invalid image size %1 x %2.</source>
        <translation>Ukubwa wa picha si sahihi %1 x %2.</translation>
    </message>
    <message>
        <source>The shape is not a LabelMe mask shape.</source>
        <translation>Umbo si umbo la maski la LabelMe.</translation>
    </message>
    <message>
        <source>A mask shape needs points [[x1, y1], [x2, y2]].</source>
        <translation>Umbo la maski linahitaji pointi [[x1, y1], [x2, y2]].</translation>
    </message>
    <message>
        <source>The mask shape&apos;s box [[%1, %2], [%3, %4]] is inverted.</source>
        <translation>Kisanduku cha umbo la maski [[%1, %2], [%3, %4]] kimegeuzwa.</translation>
    </message>
    <message>
        <source>The mask shape&apos;s box [[%1, %2], [%3, %4]] lies outside the %5 x %6 image.</source>
        <translation>Kisanduku cha umbo la maski [[%1, %2], [%3, %4]] kiko nje ya picha ya %5 x %6.</translation>
    </message>
    <message>
        <source>The mask shape has no base64 &quot;mask&quot; image.</source>
        <translation>Umbo la maski halina picha ya &quot;mask&quot; ya base64.</translation>
    </message>
    <message>
        <source>The mask shape&apos;s &quot;mask&quot; is not valid base64.</source>
        <translation>&quot;mask&quot; ya umbo la maski si base64 sahihi.</translation>
    </message>
    <message>
        <source>The mask shape&apos;s &quot;mask&quot; is not a PNG image.</source>
        <translation>&quot;mask&quot; ya umbo la maski si picha ya PNG.</translation>
    </message>
    <message>
        <source>The mask shape&apos;s &quot;mask&quot; is not a readable PNG image: %1</source>
        <translation>&quot;mask&quot; ya umbo la maski si picha ya PNG inayosomeka: %1</translation>
    </message>
    <message>
        <source>The mask shape&apos;s PNG header says %1 x %2 but its box is %3 x %4; not decoded.</source>
        <translation>Kichwa cha PNG cha umbo la maski kinasema %1 x %2 lakini kisanduku chake ni %3 x %4; haijafasiriwa.</translation>
    </message>
    <message>
        <source>The mask shape&apos;s &quot;mask&quot; is not a readable PNG image.</source>
        <translation>&quot;mask&quot; ya umbo la maski si picha ya PNG inayosomeka.</translation>
    </message>
    <message>
        <source>The mask shape&apos;s image is %1 x %2 but its box is %3 x %4.</source>
        <translation>Picha ya umbo la maski ni %1 x %2 lakini kisanduku chake ni %3 x %4.</translation>
    </message>
</context>
<context>
    <name>dl::MaskDocument</name>
    <message>
        <source>Unknown mask layer &quot;%1&quot;.</source>
        <translation>Tabaka la maski lisilojulikana &quot;%1&quot;.</translation>
    </message>
    <message>
        <source>The mask is %1 x %2 but the image is %3 x %4.</source>
        <translation>Maski ni %1 x %2 lakini picha ni %3 x %4.</translation>
    </message>
</context>
<context>
    <name>dl::MaskEditCommand</name>
    <message>
        <source>Brush</source>
        <translation>Brashi</translation>
    </message>
    <message>
        <source>Eraser</source>
        <translation>Kifutio</translation>
    </message>
    <message>
        <source>Polygon</source>
        <translation>Poligoni</translation>
    </message>
    <message>
        <source>Rectangle</source>
        <translation>Mstatili</translation>
    </message>
    <message>
        <source>Fill</source>
        <translation>Kujaza</translation>
    </message>
    <message>
        <source>Fill holes</source>
        <translation>Jaza matundu</translation>
    </message>
    <message>
        <source>Remove specks</source>
        <translation>Ondoa vidoti</translation>
    </message>
    <message>
        <source>Smooth edge</source>
        <translation>Lainisha ukingo</translation>
    </message>
    <message>
        <source>Assisted segmentation</source>
        <translation>Ugawaji unaosaidiwa</translation>
    </message>
    <message>
        <source>Superpixel brush</source>
        <translation>Brashi ya superpikseli</translation>
    </message>
</context>
<context>
    <name>dl::MaskLayer</name>
    <message>
        <source>Other identifying content</source>
        <translation>Maudhui mengine yanayotambulisha</translation>
    </message>
    <message>
        <source>%1 (identifying)</source>
        <translation>%1 (kinachotambulisha)</translation>
    </message>
</context>
<context>
    <name>dl::MaskLayerPanel</name>
    <message>
        <source>Regions</source>
        <translation>Maeneo</translation>
    </message>
    <message>
        <source>Add a potential diagnosis or tick an identifying kind to draw its region.</source>
        <translation>Ongeza utambuzi unaowezekana au weka alama aina ya kinachotambulisha ili kuchora eneo lake.</translation>
    </message>
    <message>
        <source>Tick to show a region; select a row to draw on it</source>
        <translation>Weka alama ili kuonyesha eneo; chagua safu mlalo ili kuchora juu yake</translation>
    </message>
    <message>
        <source>Opacity</source>
        <translation>Uangavu</translation>
    </message>
    <message>
        <source>Opacity of the selected region</source>
        <translation>Uangavu wa eneo lililochaguliwa</translation>
    </message>
    <message>
        <source>Outline only</source>
        <translation>Mpaka tu</translation>
    </message>
    <message>
        <source>Fill holes</source>
        <translation>Jaza matundu</translation>
    </message>
    <message>
        <source>Fill the holes of the selected region</source>
        <translation>Jaza matundu ya eneo lililochaguliwa</translation>
    </message>
    <message>
        <source>Remove specks</source>
        <translation>Ondoa vidoti</translation>
    </message>
    <message>
        <source>Remove the parts of the selected region smaller than the size given</source>
        <translation>Ondoa sehemu za eneo lililochaguliwa zilizo ndogo kuliko ukubwa uliotolewa</translation>
    </message>
    <message>
        <source> px</source>
        <translation> px</translation>
    </message>
    <message>
        <source>Smallest part kept, in pixels</source>
        <translation>Sehemu ndogo zaidi inayobakizwa, kwa pikseli</translation>
    </message>
    <message>
        <source>Smooth</source>
        <translation>Lainisha</translation>
    </message>
    <message>
        <source>Smooth the outline of the selected region</source>
        <translation>Lainisha mpaka wa eneo lililochaguliwa</translation>
    </message>
    <message>
        <source>Smoothing radius, in pixels</source>
        <translation>Nusu kipenyo cha kulainisha, kwa pikseli</translation>
    </message>
    <message>
        <source>%1%</source>
        <translation>%1%</translation>
    </message>
    <message>
        <source>%1 — not in labels</source>
        <translation>%1 — haimo kwenye lebo</translation>
    </message>
    <message>
        <source>%1: no longer among the labels; kept while it has pixels</source>
        <translation>%1: haimo tena kwenye lebo; inabakizwa maadamu ina pikseli</translation>
    </message>
</context>
<context>
    <name>dl::MaskService</name>
    <message>
        <source>the image inside is %1 x %2</source>
        <translation>picha iliyo ndani ni %1 x %2</translation>
    </message>
    <message>
        <source>unknown encoding &quot;%1&quot;</source>
        <translation>usimbaji usiojulikana &quot;%1&quot;</translation>
    </message>
    <message>
        <source>Version %1 of mask layer %2 cannot be read: %3</source>
        <translation>Toleo %1 la tabaka la maski %2 halisomeki: %3</translation>
    </message>
    <message>
        <source>This image is not assigned to %1.</source>
        <translation>Picha hii haijagawiwa kwa %1.</translation>
    </message>
    <message>
        <source>There is no image %1.</source>
        <translation>Hakuna picha %1.</translation>
    </message>
    <message>
        <source>The stored mask %1 is %2 x %3 but the image is displayed %4 x %5.</source>
        <translation>Maski iliyohifadhiwa %1 ni %2 x %3 lakini picha inaonyeshwa %4 x %5.</translation>
    </message>
    <message>
        <source>Only the author may change masks.</source>
        <translation>Mwandishi pekee ndiye anayeweza kubadilisha maski.</translation>
    </message>
    <message>
        <source>The masks are %1 x %2 but the image is displayed %3 x %4.</source>
        <translation>Maski ni %1 x %2 lakini picha inaonyeshwa %3 x %4.</translation>
    </message>
    <message>
        <source>Unknown mask layer &quot;%1&quot;.</source>
        <translation>Tabaka la maski lisilojulikana &quot;%1&quot;.</translation>
    </message>
    <message>
        <source>The mask %1 is %2 x %3 but the image is displayed %4 x %5.</source>
        <translation>Maski %1 ni %2 x %3 lakini picha inaonyeshwa %4 x %5.</translation>
    </message>
    <message>
        <source>The labels of this image were changed elsewhere at the same time; saving again.</source>
        <translation>Lebo za picha hii zilibadilishwa kwingine wakati huo huo; inahifadhi tena.</translation>
    </message>
    <message>
        <source>These regions were changed elsewhere (in another window or on another workstation) since they were read here; nothing was overwritten.</source>
        <translation>Maeneo haya yalibadilishwa kwingine (katika dirisha lingine au kwenye kituo kingine cha kazi) tangu yasomwe hapa; hakuna kilichoandikwa juu yake.</translation>
    </message>
    <message>
        <source>There is no version %1 of mask layer %2.</source>
        <translation>Hakuna toleo %1 la tabaka la maski %2.</translation>
    </message>
</context>
<context>
    <name>dl::MaskToolBar</name>
    <message>
        <source>Pan</source>
        <translation>Sogeza</translation>
    </message>
    <message>
        <source>drag to move the image (the masks are not changed)</source>
        <translation>buruta ili kusogeza picha (maski hazibadilishwi)</translation>
    </message>
    <message>
        <source>Brush</source>
        <translation>Brashi</translation>
    </message>
    <message>
        <source>paint the selected region; Shift erases; [ and ] set the size</source>
        <translation>paka rangi eneo lililochaguliwa; Shift hufuta; [ na ] huweka ukubwa</translation>
    </message>
    <message>
        <source>Eraser</source>
        <translation>Kifutio</translation>
    </message>
    <message>
        <source>erase from the selected region; [ and ] set the size</source>
        <translation>futa kutoka eneo lililochaguliwa; [ na ] huweka ukubwa</translation>
    </message>
    <message>
        <source>Polygon / Lasso</source>
        <translation>Poligoni / Lasso</translation>
    </message>
    <message>
        <source>click vertices or drag freehand; Enter or double-click closes, Backspace removes a vertex, Esc cancels</source>
        <translation>bofya vipeo au buruta kwa mkono; Enter au kubofya mara mbili hufunga, Backspace huondoa kipeo, Esc hughairi</translation>
    </message>
    <message>
        <source>Rectangle</source>
        <translation>Mstatili</translation>
    </message>
    <message>
        <source>drag a rectangle; Shift erases</source>
        <translation>buruta mstatili; Shift hufuta</translation>
    </message>
    <message>
        <source>Fill</source>
        <translation>Kujaza</translation>
    </message>
    <message>
        <source>click inside a closed outline to fill it; Shift+click clears a region</source>
        <translation>bofya ndani ya mpaka uliofungwa ili kuujaza; Shift+bofya husafisha eneo</translation>
    </message>
    <message>
        <source>Magic Wand</source>
        <translation>Fimbo ya Maajabu</translation>
    </message>
    <message>
        <source>click to add the area of similar colour (see Tolerance); Shift removes it</source>
        <translation>bofya ili kuongeza eneo la rangi inayofanana (tazama Ustahimilivu); Shift huliondoa</translation>
    </message>
    <message>
        <source>Assisted (GrabCut)</source>
        <translation>Inayosaidiwa (GrabCut)</translation>
    </message>
    <message>
        <source>start from a box dragged around the lesion or (Strokes) from rough strokes over it; refine: drag over what belongs, right drag (or Alt+drag) over what does not; Esc ends</source>
        <translation>anza kwa kisanduku kilichoburutwa kuzunguka lesion au (Mistari) kwa mistari ya jumla juu yake; boresha: buruta juu ya kilicho sehemu yake, buruta kwa kitufe cha kulia (au Alt+buruta) juu ya kisicho sehemu yake; Esc humaliza</translation>
    </message>
    <message>
        <source>Superpixel Brush</source>
        <translation>Brashi ya Superpikseli</translation>
    </message>
    <message>
        <source>paint whole superpixels (similar-looking patches); Shift erases</source>
        <translation>paka superpikseli nzima (vipande vinavyofanana kwa sura); Shift hufuta</translation>
    </message>
    <message>
        <source>Mask Tools</source>
        <translation>Zana za Maski</translation>
    </message>
    <message>
        <source>%1 (%2): %3</source>
        <translation>%1 (%2): %3</translation>
    </message>
    <message>
        <source>Smaller Brush</source>
        <translation>Brashi Ndogo Zaidi</translation>
    </message>
    <message>
        <source>Larger Brush</source>
        <translation>Brashi Kubwa Zaidi</translation>
    </message>
    <message>
        <source> px</source>
        <translation> px</translation>
    </message>
    <message>
        <source>Brush size in image pixels ([ and ], Shift+wheel)</source>
        <translation>Ukubwa wa brashi kwa pikseli za picha ([ na ], Shift+gurudumu)</translation>
    </message>
    <message>
        <source>Brush size</source>
        <translation>Ukubwa wa brashi</translation>
    </message>
    <message>
        <source>Tolerance </source>
        <translation>Ustahimilivu </translation>
    </message>
    <message>
        <source>Magic wand: how far a colour may be from the clicked one (0-255 per channel)</source>
        <translation>Fimbo ya maajabu: rangi inaweza kuwa mbali kiasi gani na ile iliyobofywa (0-255 kwa kila chaneli)</translation>
    </message>
    <message>
        <source>Magic wand tolerance</source>
        <translation>Ustahimilivu wa fimbo ya maajabu</translation>
    </message>
    <message>
        <source>Box</source>
        <translation>Kisanduku</translation>
    </message>
    <message>
        <source>GrabCut starts from a box: drag it around the lesion, leaving some skin outside</source>
        <translation>GrabCut huanza kwa kisanduku: kiburute kuzunguka lesion, ukiacha sehemu ya ngozi nje</translation>
    </message>
    <message>
        <source>Strokes</source>
        <translation>Mistari</translation>
    </message>
    <message>
        <source>GrabCut starts from rough strokes: drag over the lesion (foreground), right drag or Alt+drag over skin (background); it segments when a foreground stroke ends, or on Enter</source>
        <translation>GrabCut huanza kwa mistari ya jumla: buruta juu ya lesion (mbele), buruta kwa kitufe cha kulia au Alt+buruta juu ya ngozi (nyuma); hugawa mstari wa mbele unapoisha, au kwa Enter</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Ghairi</translation>
    </message>
    <message>
        <source>Stop the segmentation (Esc)</source>
        <translation>Simamisha ugawaji (Esc)</translation>
    </message>
    <message>
        <source>%1

Off: %2</source>
        <translation>%1

Imezimwa: %2</translation>
    </message>
    <message>
        <source>Choose a tool to draw the selected region</source>
        <translation>Chagua zana ya kuchora eneo lililochaguliwa</translation>
    </message>
    <message>
        <source>Drag a box around the lesion; then drag over what belongs, right drag over what does not; Esc ends</source>
        <translation>Buruta kisanduku kuzunguka lesion; kisha buruta juu ya kilicho sehemu yake, buruta kwa kitufe cha kulia juu ya kisicho sehemu yake; Esc humaliza</translation>
    </message>
    <message>
        <source>Drag over the lesion, right drag (or Alt+drag) over skin: it segments when a stroke ends (Enter runs waiting strokes); more strokes refine; Esc ends</source>
        <translation>Buruta juu ya lesion, buruta kwa kitufe cha kulia (au Alt+buruta) juu ya ngozi: hugawa mstari unapoisha (Enter huendesha mistari inayosubiri); mistari zaidi huboresha; Esc humaliza</translation>
    </message>
</context>
<context>
    <name>dl::MetadataStripper</name>
    <message>
        <source>Only JPEG and PNG files can be stripped of metadata losslessly; this is neither.</source>
        <translation>Faili za JPEG na PNG tu ndizo zinaweza kuondolewa metadata bila kupoteza ubora; hii si mojawapo.</translation>
    </message>
    <message>
        <source>The JPEG has EXIF orientation %1: stripping its metadata would rotate it. Apply the orientation and re-encode it instead.</source>
        <translation>JPEG ina mwelekeo wa EXIF %1: kuondoa metadata yake kungeizungusha. Tumia mwelekeo huo na uisimbe upya badala yake.</translation>
    </message>
    <message>
        <source>%1 The profile was dropped; the colours are read as sRGB.</source>
        <translation>%1 Profaili imeondolewa; rangi zinasomwa kama sRGB.</translation>
    </message>
    <message>
        <source>An Adobe segment shorter than 12 bytes was dropped.</source>
        <translation>Sehemu ya Adobe fupi kuliko baiti 12 imeondolewa.</translation>
    </message>
    <message>
        <source>Corrupt JPEG: the JFIF segment is too short.</source>
        <translation>JPEG iliyoharibika: sehemu ya JFIF ni fupi mno.</translation>
    </message>
    <message>
        <source>Cannot encode a null image.</source>
        <translation>Haiwezekani kusimba picha tupu.</translation>
    </message>
    <message>
        <source>Could not encode the image as PNG: %1</source>
        <translation>Imeshindwa kusimba picha kama PNG: %1</translation>
    </message>
</context>
<context>
    <name>dl::MonkSwatches</name>
    <message>
        <source>Monk skin tone %1 (key M then %2)</source>
        <translation>Rangi ya ngozi ya Monk %1 (kitufe M kisha %2)</translation>
    </message>
    <message>
        <source>Monk tone %1</source>
        <translation>Rangi ya Monk %1</translation>
    </message>
    <message>
        <source>N/G</source>
        <translation>H/T</translation>
    </message>
    <message>
        <source>Monk skin tone not gradable (key M then N)</source>
        <translation>Rangi ya ngozi ya Monk haitathminiki (kitufe M kisha N)</translation>
    </message>
</context>
<context>
    <name>dl::NewUserDialog</name>
    <message>
        <source>Add User</source>
        <translation>Ongeza Mtumiaji</translation>
    </message>
    <message>
        <source>User &amp;name:</source>
        <translation>&amp;Jina la mtumiaji:</translation>
    </message>
    <message>
        <source>e.g. dr.okafor</source>
        <translation>mf. dr.okafor</translation>
    </message>
    <message>
        <source>&amp;Display name:</source>
        <translation>Jina la &amp;kuonyeshwa:</translation>
    </message>
    <message>
        <source>e.g. Dr. Amara Okafor</source>
        <translation>mf. Dkt. Amara Okafor</translation>
    </message>
    <message>
        <source>&amp;Role:</source>
        <translation>J&amp;ukumu:</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>&amp;Nenosiri:</translation>
    </message>
    <message>
        <source>R&amp;epeat password:</source>
        <translation>&amp;Rudia nenosiri:</translation>
    </message>
    <message>
        <source>&amp;Add User</source>
        <translation>&amp;Ongeza Mtumiaji</translation>
    </message>
    <message>
        <source>The user name is what they type to sign in.</source>
        <translation>Jina la mtumiaji ndilo analoandika ili kuingia.</translation>
    </message>
    <message>
        <source>The password needs at least %1 characters.</source>
        <translation>Nenosiri linahitaji angalau herufi %1.</translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation>Manenosiri mawili yanatofautiana.</translation>
    </message>
</context>
<context>
    <name>dl::OverlapTableModel</name>
    <message>
        <source>Diagnosis: top-1 agreement</source>
        <translation>Utambuzi: makubaliano ya top-1</translation>
    </message>
    <message>
        <source>Share of rater pairs naming the same first condition, mean over images</source>
        <translation>Sehemu ya jozi za watathmini wanaotaja ugonjwa wa kwanza ule ule, wastani juu ya picha</translation>
    </message>
    <message>
        <source>Diagnosis: top-3 overlap</source>
        <translation>Utambuzi: mwingiliano wa top-3</translation>
    </message>
    <message>
        <source>Overlap coefficient of the raters&apos; up-to-three conditions (shared / size of the shorter list), mean over images</source>
        <translation>Kigawo cha mwingiliano cha magonjwa yasiyozidi matatu ya watathmini (yanayoshirikiwa / ukubwa wa orodha fupi zaidi), wastani juu ya picha</translation>
    </message>
    <message>
        <source>Region Dice: %1</source>
        <translation>Dice ya eneo: %1</translation>
    </message>
    <message>
        <source>Mean Dice (2 |A ∩ B| / (|A| + |B|)) over every pair of raters who drew this region; lowest pair %1</source>
        <translation>Wastani wa Dice (2 |A ∩ B| / (|A| + |B|)) juu ya kila jozi ya watathmini waliochora eneo hili; jozi ya chini kabisa %1</translation>
    </message>
    <message>
        <source>Region IoU: %1</source>
        <translation>IoU ya eneo: %1</translation>
    </message>
    <message>
        <source>Mean intersection over union over every pair of raters who drew this region</source>
        <translation>Wastani wa makutano juu ya muungano kwa kila jozi ya watathmini waliochora eneo hili</translation>
    </message>
    <message numerus="yes">
        <source>%1 in %2: %3 over %n image(s), %4 against all images</source>
        <translation>
            <numerusform>%1 katika %2: %3 juu ya picha %n, %4 dhidi ya picha zote</numerusform>
            <numerusform>%1 katika %2: %3 juu ya picha %n, %4 dhidi ya picha zote</numerusform>
        </translation>
    </message>
    <message>
        <source>n %1</source>
        <translation>n %1</translation>
    </message>
    <message>
        <source>%1 %2: the value over this group&apos;s images</source>
        <translation>%1 %2: thamani juu ya picha za kundi hili</translation>
    </message>
    <message>
        <source>Images of this group the value rests on</source>
        <translation>Picha za kundi hili ambazo thamani inategemea</translation>
    </message>
    <message>
        <source>Measure</source>
        <translation>Kipimo</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>Picha</translation>
    </message>
    <message>
        <source>Rater pairs</source>
        <translation>Jozi za watathmini</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Thamani</translation>
    </message>
    <message>
        <source>Images with at least two raters&apos; differentials (diagnoses) or regions (masks)</source>
        <translation>Picha zenye utambuzi tofauti (utambuzi) au maeneo (maski) ya angalau watathmini wawili</translation>
    </message>
    <message>
        <source>Pairs of raters who both drew the region, over all images</source>
        <translation>Jozi za watathmini ambao wote walichora eneo, juu ya picha zote</translation>
    </message>
    <message>
        <source>Mean over rater pairs; 1 is full agreement, 0 none</source>
        <translation>Wastani juu ya jozi za watathmini; 1 ni makubaliano kamili, 0 hakuna</translation>
    </message>
</context>
<context>
    <name>dl::PassionReader</name>
    <message>
        <source>PASSION dataset: non-commercial use only; attribution required; any attempt to re-identify the people shown is prohibited.</source>
        <translation>Seti ya data ya PASSION: matumizi yasiyo ya kibiashara tu; utambuzi wa chanzo unahitajika; jaribio lolote la kuwatambua tena watu wanaoonyeshwa limekatazwa.</translation>
    </message>
    <message>
        <source>%1 is not a folder.</source>
        <translation>%1 si folda.</translation>
    </message>
    <message>
        <source>%1 has no label.csv: is it a PASSION dataset folder?</source>
        <translation>%1 haina label.csv: je, ni folda ya seti ya data ya PASSION?</translation>
    </message>
    <message>
        <source>There is no images/ folder; only metadata was read.</source>
        <translation>Hakuna folda ya images/; metadata tu ndiyo iliyosomwa.</translation>
    </message>
    <message>
        <source>%1 does not follow the &lt;subject_id&gt;_&lt;n&gt; naming; skipped.</source>
        <translation>%1 haifuati mtindo wa majina &lt;subject_id&gt;_&lt;n&gt;; imerukwa.</translation>
    </message>
    <message>
        <source>label.csv line %1: empty subject_id; row skipped.</source>
        <translation>label.csv mstari %1: subject_id tupu; safu mlalo imerukwa.</translation>
    </message>
    <message>
        <source>label.csv line %1: subject %2 appears again; only the first row is used.</source>
        <translation>label.csv mstari %1: mhusika %2 anaonekana tena; safu mlalo ya kwanza tu ndiyo inatumika.</translation>
    </message>
    <message>
        <source>Subject %1: &apos;%2&apos; is not a Fitzpatrick type.</source>
        <translation>Mhusika %1: &apos;%2&apos; si aina ya ngozi ya Fitzpatrick.</translation>
    </message>
    <message>
        <source>%1 subjects in label.csv have no images: %2</source>
        <translation>Wahusika %1 katika label.csv hawana picha: %2</translation>
    </message>
    <message>
        <source>%1 images belong to subjects that label.csv does not list and were not imported: %2</source>
        <translation>Picha %1 ni za wahusika ambao label.csv haiwaorodheshi na hazikuingizwa: %2</translation>
    </message>
    <message>
        <source>PASSION_split.csv names %1 subjects that label.csv lacks: %2</source>
        <translation>PASSION_split.csv inataja wahusika %1 ambao label.csv haina: %2</translation>
    </message>
</context>
<context>
    <name>dl::PasswordDialog</name>
    <message>
        <source>Reset Password</source>
        <translation>Weka Upya Nenosiri</translation>
    </message>
    <message>
        <source>A new password for &lt;b&gt;%1&lt;/b&gt;. Tell it to them in person; they sign in with it from now on.</source>
        <translation>Nenosiri jipya la &lt;b&gt;%1&lt;/b&gt;. Mwambie ana kwa ana; ataingia nalo kuanzia sasa.</translation>
    </message>
    <message>
        <source>New &amp;password:</source>
        <translation>&amp;Nenosiri jipya:</translation>
    </message>
    <message>
        <source>R&amp;epeat:</source>
        <translation>&amp;Rudia:</translation>
    </message>
    <message>
        <source>&amp;Set Password</source>
        <translation>&amp;Weka Nenosiri</translation>
    </message>
    <message>
        <source>At least %1 characters.</source>
        <translation>Angalau herufi %1.</translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation>Manenosiri mawili yanatofautiana.</translation>
    </message>
</context>
<context>
    <name>dl::Permissions</name>
    <message>
        <source>The account %1 is disabled.</source>
        <translation>Akaunti %1 imezimwa.</translation>
    </message>
    <message>
        <source>%1 (%2) is not allowed to do this.</source>
        <translation>%1 (%2) haruhusiwi kufanya hivi.</translation>
    </message>
</context>
<context>
    <name>dl::PngValidator</name>
    <message>
        <source>The data is not a PNG image</source>
        <translation>Data si picha ya PNG</translation>
    </message>
    <message>
        <source>PNG data ends before the IEND chunk</source>
        <translation>Data ya PNG inaishia kabla ya kipande cha IEND</translation>
    </message>
    <message>
        <source>PNG chunk structure is damaged at byte %1</source>
        <translation>Muundo wa vipande vya PNG umeharibika kwenye baiti %1</translation>
    </message>
    <message>
        <source>PNG data ends inside the %1 chunk</source>
        <translation>Data ya PNG inaishia ndani ya kipande %1</translation>
    </message>
    <message>
        <source>PNG chunk %1 at byte %2 has a bad CRC</source>
        <translation>Kipande cha PNG %1 kwenye baiti %2 kina CRC mbaya</translation>
    </message>
    <message>
        <source>PNG header chunk is misplaced</source>
        <translation>Kipande cha kichwa cha PNG kiko mahali pasipo sahihi</translation>
    </message>
    <message>
        <source>PNG file does not start with an IHDR chunk</source>
        <translation>Faili ya PNG haianzi na kipande cha IHDR</translation>
    </message>
    <message>
        <source>PNG palette image has no palette</source>
        <translation>Picha ya PNG ya paleti haina paleti</translation>
    </message>
    <message>
        <source>PNG image data does not start with a valid zlib header</source>
        <translation>Data ya picha ya PNG haianzi na kichwa sahihi cha zlib</translation>
    </message>
    <message>
        <source>PNG file has no image data</source>
        <translation>Faili ya PNG haina data ya picha</translation>
    </message>
</context>
<context>
    <name>dl::PolygonTool</name>
    <message>
        <source>A polygon needs at least three vertices.</source>
        <translation>Poligoni inahitaji angalau vipeo vitatu.</translation>
    </message>
</context>
<context>
    <name>dl::PostgresServer</name>
    <message>
        <source>Cannot reach the PostgreSQL server %1: %2. Check the host name and port, and that the server is running and accepts connections from this computer.</source>
        <translation>Imeshindwa kufikia seva ya PostgreSQL %1: %2. Kagua jina la mwenyeji na mlango, na kwamba seva inafanya kazi na inakubali miunganisho kutoka kompyuta hii.</translation>
    </message>
    <message>
        <source>The PostgreSQL server %1 refused the password of %2 (wrong password, or no such role).</source>
        <translation>Seva ya PostgreSQL %1 ilikataa nenosiri la %2 (nenosiri si sahihi, au hakuna jukumu kama hilo).</translation>
    </message>
    <message>
        <source>The PostgreSQL server %1 asks for the password of %2: give it in the URL (postgresql://user:password@host/database), in PGPASSWORD or in ~/.pgpass.</source>
        <translation>Seva ya PostgreSQL %1 inaomba nenosiri la %2: litoe kwenye URL (postgresql://user:password@host/database), kwenye PGPASSWORD au kwenye ~/.pgpass.</translation>
    </message>
    <message>
        <source>There is no database %1 on %2.</source>
        <translation>Hakuna hifadhidata %1 kwenye %2.</translation>
    </message>
    <message>
        <source>The PostgreSQL server %1 does not let %2 connect to the database %3: %4</source>
        <translation>Seva ya PostgreSQL %1 hairuhusu %2 kuunganisha kwenye hifadhidata %3: %4</translation>
    </message>
    <message>
        <source>Cannot connect to the database %1 on %2: %3</source>
        <translation>Imeshindwa kuunganisha kwenye hifadhidata %1 kwenye %2: %3</translation>
    </message>
    <message>
        <source>Qt&apos;s PostgreSQL driver (QPSQL) is not installed: install the Debian package libqt6sql6-psql.</source>
        <translation>Kiendeshi cha PostgreSQL cha Qt (QPSQL) hakijasakinishwa: sakinisha kifurushi cha Debian libqt6sql6-psql.</translation>
    </message>
    <message>
        <source>The connection to the server was lost; the last change may not have been saved. DermLabel connects again for the next step: try again.</source>
        <translation>Muunganisho na seva umepotea; badiliko la mwisho huenda halikuhifadhiwa. DermLabel inaunganisha tena kwa hatua inayofuata: jaribu tena.</translation>
    </message>
    <message>
        <source>Cannot create the database %1: %2</source>
        <translation>Imeshindwa kuunda hifadhidata %1: %2</translation>
    </message>
    <message>
        <source>There is no database %1 on %2, and the role %3 may not create one (it lacks the CREATEDB right). Ask the server&apos;s administrator to create the database with %3 as its owner, or to grant %3 CREATEDB.</source>
        <translation>Hakuna hifadhidata %1 kwenye %2, na jukumu %3 haliruhusiwi kuiunda (halina haki ya CREATEDB). Mwombe msimamizi wa seva aunde hifadhidata ikiwa na %3 kama mmiliki wake, au ampe %3 CREATEDB.</translation>
    </message>
    <message>
        <source>Cannot create the database %1 on %2: %3</source>
        <translation>Imeshindwa kuunda hifadhidata %1 kwenye %2: %3</translation>
    </message>
</context>
<context>
    <name>dl::PreferencesDialog</name>
    <message>
        <source>Preferences</source>
        <translation>Mapendeleo</translation>
    </message>
    <message>
        <source>Fit the image to the window</source>
        <translation>Tosheleza picha kwenye dirisha</translation>
    </message>
    <message>
        <source>Keep the zoom of the previous image</source>
        <translation>Baki na ukuzaji wa picha iliyotangulia</translation>
    </message>
    <message>
        <source>Actual size (100%)</source>
        <translation>Ukubwa halisi (100%)</translation>
    </message>
    <message>
        <source>&amp;Zoom on the next image:</source>
        <translation>&amp;Ukuzaji kwenye picha inayofuata:</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>&amp;Lugha:</translation>
    </message>
    <message>
        <source> images</source>
        <translation> picha</translation>
    </message>
    <message>
        <source>How many of the next images are decoded in the background while you label. Each 12-megapixel photo takes about 48 MB of memory.</source>
        <translation>Ni picha ngapi zinazofuata zinafasiriwa chinichini unapoweka lebo. Kila picha ya megapikseli 12 inachukua takriban MB 48 za kumbukumbu.</translation>
    </message>
    <message>
        <source>&amp;Decode ahead:</source>
        <translation>&amp;Fasiri mapema:</translation>
    </message>
    <message>
        <source> MB</source>
        <translation> MB</translation>
    </message>
    <message>
        <source>How much disk the images of team stores may take on this computer. They are downloaded from the server when needed; beyond this size the least recently used are removed (a 12-megapixel photo takes about 5 MB).</source>
        <translation>Ni nafasi ngapi ya diski ambayo picha za hifadhi za timu zinaweza kuchukua kwenye kompyuta hii. Zinapakuliwa kutoka seva zinapohitajika; zaidi ya ukubwa huu, zile zilizotumika zamani zaidi huondolewa (picha ya megapikseli 12 inachukua takriban MB 5).</translation>
    </message>
    <message>
        <source>Team store image &amp;cache:</source>
        <translation>&amp;Akiba ya picha za hifadhi ya timu:</translation>
    </message>
    <message>
        <source>&lt;b&gt;The new language applies when DermLabel is restarted.&lt;/b&gt;</source>
        <translation>&lt;b&gt;Lugha mpya itatumika DermLabel itakapoanzishwa upya.&lt;/b&gt;</translation>
    </message>
    <message>
        <source>A new language applies when DermLabel is restarted.</source>
        <translation>Lugha mpya hutumika DermLabel inapoanzishwa upya.</translation>
    </message>
</context>
<context>
    <name>dl::PyLiteral</name>
    <message>
        <source>a string</source>
        <translation>mfuatano wa herufi</translation>
    </message>
    <message>
        <source>an integer</source>
        <translation>namba kamili</translation>
    </message>
    <message>
        <source>a float</source>
        <translation>namba ya desimali</translation>
    </message>
    <message>
        <source>a boolean</source>
        <translation>boolean</translation>
    </message>
    <message>
        <source>None</source>
        <translation>None</translation>
    </message>
    <message>
        <source>a list</source>
        <translation>orodha</translation>
    </message>
    <message>
        <source>a tuple</source>
        <translation>tuple</translation>
    </message>
    <message>
        <source>a dict</source>
        <translation>dict</translation>
    </message>
    <message>
        <source>character %1: %2</source>
        <translation>herufi %1: %2</translation>
    </message>
    <message>
        <source>expected %1, found %2</source>
        <translation>%1 ilitarajiwa, %2 imepatikana</translation>
    </message>
    <message>
        <source>the end of the text</source>
        <translation>mwisho wa maandishi</translation>
    </message>
    <message>
        <source>a value</source>
        <translation>thamani</translation>
    </message>
    <message>
        <source>nested more than %1 levels deep</source>
        <translation>imewekwa ndani zaidi ya viwango %1</translation>
    </message>
    <message>
        <source>a line break</source>
        <translation>mstari mpya</translation>
    </message>
    <message>
        <source>or</source>
        <translation>au</translation>
    </message>
    <message>
        <source>a dict key cannot be %1</source>
        <translation>ufunguo wa dict hauwezi kuwa %1</translation>
    </message>
    <message>
        <source>string not closed (expected a closing %1)</source>
        <translation>mfuatano haujafungwa (%1 ya kufunga ilitarajiwa)</translation>
    </message>
    <message>
        <source>string not closed (it ends with a backslash)</source>
        <translation>mfuatano haujafungwa (unaishia kwa mkwaju wa nyuma)</translation>
    </message>
    <message>
        <source>\%1 must be followed by %2 hexadecimal digits</source>
        <translation>\%1 lazima ifuatwe na tarakimu %2 za heksadesimali</translation>
    </message>
    <message>
        <source>\U escape beyond U+10FFFF</source>
        <translation>\U escape zaidi ya U+10FFFF</translation>
    </message>
    <message>
        <source>\N{...} escapes are not supported</source>
        <translation>\N{...} escape haziungwi mkono</translation>
    </message>
    <message>
        <source>a number after &apos;%1&apos;</source>
        <translation>namba baada ya &apos;%1&apos;</translation>
    </message>
    <message>
        <source>malformed number</source>
        <translation>namba yenye muundo mbaya</translation>
    </message>
    <message>
        <source>malformed number (exponent without digits)</source>
        <translation>namba yenye muundo mbaya (kipeo bila tarakimu)</translation>
    </message>
    <message>
        <source>number out of range</source>
        <translation>namba nje ya masafa</translation>
    </message>
    <message>
        <source>integer out of range</source>
        <translation>namba kamili nje ya masafa</translation>
    </message>
    <message>
        <source>unexpected word &apos;%1&apos; (expected a value; text must be quoted)</source>
        <translation>neno lisilotarajiwa &apos;%1&apos; (thamani ilitarajiwa; maandishi lazima yawe ndani ya alama za nukuu)</translation>
    </message>
    <message>
        <source>character %1: expected %2, found %3</source>
        <translation>herufi %1: %2 ilitarajiwa, %3 imepatikana</translation>
    </message>
    <message>
        <source>character %1: element %2 is %3, expected %4</source>
        <translation>herufi %1: kipengele %2 ni %3, %4 ilitarajiwa</translation>
    </message>
    <message>
        <source>a list of strings</source>
        <translation>orodha ya mifuatano ya herufi</translation>
    </message>
    <message>
        <source>a list of numbers</source>
        <translation>orodha ya namba</translation>
    </message>
    <message>
        <source>a number</source>
        <translation>namba</translation>
    </message>
    <message>
        <source>a dict of numbers</source>
        <translation>dict ya namba</translation>
    </message>
    <message>
        <source>character %1: key %2 is %3, expected a string</source>
        <translation>herufi %1: ufunguo %2 ni %3, mfuatano wa herufi ulitarajiwa</translation>
    </message>
    <message>
        <source>character %1: the value of key %2 is %3, expected a number</source>
        <translation>herufi %1: thamani ya ufunguo %2 ni %3, namba ilitarajiwa</translation>
    </message>
</context>
<context>
    <name>dl::QaDashboard</name>
    <message>
        <source>Quality assurance · %1</source>
        <translation>Uhakiki wa ubora · %1</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>&amp;Onyesha upya</translation>
    </message>
    <message>
        <source>Read the store again and recompute every statistic (F5)</source>
        <translation>Soma hifadhi tena na ukokotoe upya kila takwimu (F5)</translation>
    </message>
    <message>
        <source>Images rated</source>
        <translation>Picha zilizotathminiwa</translation>
    </message>
    <message>
        <source>Fields agreed</source>
        <translation>Sehemu zilizokubaliwa</translation>
    </message>
    <message>
        <source>Fields to adjudicate</source>
        <translation>Sehemu za kusuluhishwa</translation>
    </message>
    <message>
        <source>Fields adjudicated</source>
        <translation>Sehemu zilizosuluhishwa</translation>
    </message>
    <message>
        <source>Diagnosis top-1 agreement</source>
        <translation>Makubaliano ya top-1 ya utambuzi</translation>
    </message>
    <message>
        <source>Diagnosis top-3 overlap</source>
        <translation>Mwingiliano wa top-3 wa utambuzi</translation>
    </message>
    <message>
        <source>Share of rater pairs naming the same first condition, mean over images</source>
        <translation>Sehemu ya jozi za watathmini wanaotaja ugonjwa wa kwanza ule ule, wastani juu ya picha</translation>
    </message>
    <message>
        <source>Overlap of the raters&apos; up-to-three conditions, mean over images</source>
        <translation>Mwingiliano wa magonjwa yasiyozidi matatu ya watathmini, wastani juu ya picha</translation>
    </message>
    <message>
        <source>&amp;Overview</source>
        <translation>&amp;Muhtasari</translation>
    </message>
    <message>
        <source>&amp;Plots</source>
        <translation>M&amp;ichoro</translation>
    </message>
    <message>
        <source>&amp;Disagreements</source>
        <translation>&amp;Kutokubaliana</translation>
    </message>
    <message>
        <source>R&amp;aters</source>
        <translation>Wa&amp;tathmini</translation>
    </message>
    <message>
        <source>&amp;Faces</source>
        <translation>N&amp;yuso</translation>
    </message>
    <message>
        <source>None</source>
        <translation>Hakuna</translation>
    </message>
    <message>
        <source>Show alpha and the number of images per group next to the overall figures</source>
        <translation>Onyesha alpha na idadi ya picha kwa kila kundi kando ya takwimu za jumla</translation>
    </message>
    <message>
        <source>&amp;Stratify by:</source>
        <translation>&amp;Gawanya kwa:</translation>
    </message>
    <message>
        <source>&amp;Confidence intervals</source>
        <translation>Vipindi vya &amp;uhakika</translation>
    </message>
    <message>
        <source>Bootstrap 95% intervals of alpha and kappa (%1 replicates, seeded: the same store gives the same intervals)</source>
        <translation>Vipindi vya bootstrap vya 95% vya alpha na kappa (marudio %1, kwa mbegu: hifadhi ile ile hutoa vipindi vile vile)</translation>
    </message>
    <message>
        <source>Krippendorff&apos;s α:</source>
        <translation>α ya Krippendorff:</translation>
    </message>
    <message>
        <source>&lt;b&gt;Differential diagnoses and regions&lt;/b&gt; (what the raters name and where they draw it)</source>
        <translation>&lt;b&gt;Utambuzi tofauti na maeneo&lt;/b&gt; (kile watathmini wanachotaja na mahali wanapokichora)</translation>
    </message>
    <message>
        <source>&lt;b&gt;Reference labels imported with datasets&lt;/b&gt; (items are cases; raters as given by the dataset)</source>
        <translation>&lt;b&gt;Lebo za marejeo zilizoingizwa pamoja na seti za data&lt;/b&gt; (vipengele ni kesi; watathmini kama walivyotolewa na seti ya data)</translation>
    </message>
    <message>
        <source>Show pe&amp;nding (raters still labelling)</source>
        <translation>Onyesha &amp;zinazosubiri (watathmini bado wanaweka lebo)</translation>
    </message>
    <message>
        <source>Enter or double-click opens the side-by-side review.</source>
        <translation>Enter au kubofya mara mbili hufungua mapitio ya kando kwa kando.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Labels per day&lt;/b&gt; (by the day of each label&apos;s last change, UTC)</source>
        <translation>&lt;b&gt;Lebo kwa siku&lt;/b&gt; (kwa siku ya badiliko la mwisho la kila lebo, UTC)</translation>
    </message>
    <message>
        <source>&amp;Review Image</source>
        <translation>&amp;Pitia Picha</translation>
    </message>
    <message>
        <source>Confirm &amp;Face</source>
        <translation>Thi&amp;bitisha Uso</translation>
    </message>
    <message>
        <source>A face shows: the image needs an identifying face region to be exported</source>
        <translation>Uso unaonekana: picha inahitaji eneo la uso linalotambulisha ili ihamishwe</translation>
    </message>
    <message>
        <source>&amp;Not a Face</source>
        <translation>&amp;Si Uso</translation>
    </message>
    <message>
        <source>The check was wrong: the flag no longer holds the image back</source>
        <translation>Ukaguzi ulikosea: alama haizuii tena picha</translation>
    </message>
    <message>
        <source>Run Face &amp;Check</source>
        <translation>&amp;Endesha Ukaguzi wa Nyuso</translation>
    </message>
    <message>
        <source>Look for frontal faces on every image (new images are checked on import)</source>
        <translation>Tafuta nyuso za mbele kwenye kila picha (picha mpya hukaguliwa wakati wa kuingiza)</translation>
    </message>
    <message>
        <source>The face check has flagged no image.</source>
        <translation>Ukaguzi wa nyuso haujawekea alama picha yoyote.</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; of %2 flagged images still to review. An open flag holds the image back from export; a confirmed face needs an identifying face region, which the export covers.</source>
        <translation>Picha &lt;b&gt;%1&lt;/b&gt; kati ya %2 zilizowekewa alama bado zinasubiri mapitio. Alama iliyo wazi huzuia picha isihamishwe; uso uliothibitishwa unahitaji eneo la uso linalotambulisha, ambalo uhamishaji hulifunika.</translation>
    </message>
    <message>
        <source>&amp;Faces (%1)</source>
        <translation>N&amp;yuso (%1)</translation>
    </message>
    <message>
        <source>The face flag was not changed: %1</source>
        <translation>Alama ya uso haikubadilishwa: %1</translation>
    </message>
    <message>
        <source>Stop Face &amp;Check</source>
        <translation>Simamisha Ukaguzi wa &amp;Nyuso</translation>
    </message>
    <message>
        <source>Checking images for faces…</source>
        <translation>Inakagua nyuso kwenye picha…</translation>
    </message>
    <message>
        <source>Checking images for faces: %1 of %2</source>
        <translation>Inakagua nyuso kwenye picha: %1 kati ya %2</translation>
    </message>
    <message>
        <source>The face check failed: %1</source>
        <translation>Ukaguzi wa nyuso umeshindwa: %1</translation>
    </message>
    <message>
        <source>Reading ratings and bootstrapping…</source>
        <translation>Inasoma tathmini na kufanya bootstrap…</translation>
    </message>
    <message>
        <source>Reading ratings…</source>
        <translation>Inasoma tathmini…</translation>
    </message>
    <message>
        <source>Bootstrapping %1 replicates…</source>
        <translation>Inafanya bootstrap ya marudio %1…</translation>
    </message>
    <message>
        <source>The QA dashboard cannot be shown: %1</source>
        <translation>Dashibodi ya ubora haiwezi kuonyeshwa: %1</translation>
    </message>
    <message>
        <source>Computing agreement by %1…</source>
        <translation>Inakokotoa makubaliano kwa %1…</translation>
    </message>
    <message>
        <source>%1 on %2 images</source>
        <translation>%1 kwenye picha %2</translation>
    </message>
    <message>
        <source>Over %1 images with at least two differentials</source>
        <translation>Juu ya picha %1 zenye angalau utambuzi tofauti miwili</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; fields to adjudicate on &lt;b&gt;%2&lt;/b&gt; images · %3 pending</source>
        <translation>Sehemu &lt;b&gt;%1&lt;/b&gt; za kusuluhishwa kwenye picha &lt;b&gt;%2&lt;/b&gt; · %3 zinasubiri</translation>
    </message>
    <message>
        <source>&amp;Disagreements (%1)</source>
        <translation>&amp;Kutokubaliana (%1)</translation>
    </message>
    <message>
        <source>No labels yet</source>
        <translation>Bado hakuna lebo</translation>
    </message>
</context>
<context>
    <name>dl::QaDataSet</name>
    <message>
        <source>Fitzpatrick type</source>
        <translation>Aina ya ngozi ya Fitzpatrick</translation>
    </message>
    <message>
        <source>Monk skin tone</source>
        <translation>Rangi ya ngozi ya Monk</translation>
    </message>
    <message>
        <source>Age group</source>
        <translation>Kundi la umri</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>Jinsia</translation>
    </message>
    <message>
        <source>Country</source>
        <translation>Nchi</translation>
    </message>
    <message>
        <source>Body site</source>
        <translation>Sehemu ya mwili</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Chanzo</translation>
    </message>
    <message>
        <source>Week</source>
        <translation>Wiki</translation>
    </message>
    <message>
        <source>The store could not be read.</source>
        <translation>Hifadhi haikuweza kusomwa.</translation>
    </message>
</context>
<context>
    <name>dl::QaPlots</name>
    <message>
        <source>&amp;Field:</source>
        <translation>&amp;Sehemu:</translation>
    </message>
    <message>
        <source>Rater &amp;A:</source>
        <translation>Mtathmini &amp;A:</translation>
    </message>
    <message>
        <source>Rater &amp;B:</source>
        <translation>Mtathmini &amp;B:</translation>
    </message>
    <message>
        <source>Confusion of rater A and rater B</source>
        <translation>Mchanganyiko wa mtathmini A na mtathmini B</translation>
    </message>
    <message>
        <source>Labels given by each rater</source>
        <translation>Lebo zilizotolewa na kila mtathmini</translation>
    </message>
    <message>
        <source>Agreement over time (week of the last label change)</source>
        <translation>Makubaliano kwa muda (wiki ya badiliko la mwisho la lebo)</translation>
    </message>
    <message>
        <source>%1 (dataset)</source>
        <translation>%1 (seti ya data)</translation>
    </message>
    <message>
        <source>Choose two different raters.</source>
        <translation>Chagua watathmini wawili tofauti.</translation>
    </message>
    <message>
        <source>No images in common.</source>
        <translation>Hakuna picha za pamoja.</translation>
    </message>
    <message>
        <source>%1 images in common, %2 identical (%3%)</source>
        <translation>Picha %1 za pamoja, %2 zinafanana (%3%)</translation>
    </message>
    <message>
        <source>Cohen&apos;s κ %1</source>
        <translation>κ ya Cohen %1</translation>
    </message>
    <message>
        <source>quadratic κ %1</source>
        <translation>κ ya kipeo cha pili %1</translation>
    </message>
    <message>
        <source>No ratings</source>
        <translation>Hakuna tathmini</translation>
    </message>
    <message>
        <source>Other (%1 labels)</source>
        <translation>Nyingine (lebo %1)</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>mean %1</source>
        <translation>wastani %1</translation>
    </message>
    <message>
        <source>Dataset labels have no time</source>
        <translation>Lebo za seti ya data hazina wakati</translation>
    </message>
    <message>
        <source>No weeks with ratings</source>
        <translation>Hakuna wiki zenye tathmini</translation>
    </message>
    <message>
        <source>Percent agreement</source>
        <translation>Asilimia ya makubaliano</translation>
    </message>
    <message>
        <source>Krippendorff&apos;s α</source>
        <translation>α ya Krippendorff</translation>
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
        <translation>%1 (amezimwa)</translation>
    </message>
    <message>
        <source>%1 of %2 answered fields equal the agreed or adjudicated consensus</source>
        <translation>Sehemu %1 kati ya %2 zilizojibiwa zinalingana na maafikiano yaliyokubaliwa au yaliyosuluhishwa</translation>
    </message>
    <message>
        <source>Rank-1 diagnosis equal to the consensus diagnosis on %1 of %2 images</source>
        <translation>Utambuzi wa nafasi ya 1 unalingana na utambuzi wa maafikiano kwenye picha %1 kati ya %2</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>Rater</source>
        <translation>Mtathmini</translation>
    </message>
    <message>
        <source>Assigned</source>
        <translation>Zilizogawiwa</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Zimekamilika</translation>
    </message>
    <message>
        <source>Skipped</source>
        <translation>Zimerukwa</translation>
    </message>
    <message>
        <source>Flagged</source>
        <translation>Zimewekewa alama</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Wazi</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>Maendeleo</translation>
    </message>
    <message>
        <source>Labels / day</source>
        <translation>Lebo / siku</translation>
    </message>
    <message>
        <source>Active days</source>
        <translation>Siku za kazi</translation>
    </message>
    <message>
        <source>= consensus</source>
        <translation>= maafikiano</translation>
    </message>
    <message>
        <source>Top-1 = consensus</source>
        <translation>Top-1 = maafikiano</translation>
    </message>
    <message>
        <source>Assigned images not started or in progress</source>
        <translation>Picha zilizogawiwa ambazo hazijaanzwa au zinaendelea</translation>
    </message>
    <message>
        <source>Done of assigned</source>
        <translation>Zilizokamilika kati ya zilizogawiwa</translation>
    </message>
    <message>
        <source>Labels per day on the days the rater labelled (by last change, UTC)</source>
        <translation>Lebo kwa siku katika siku ambazo mtathmini aliweka lebo (kwa badiliko la mwisho, UTC)</translation>
    </message>
    <message>
        <source>Share of the rater&apos;s answers that equal the agreed or adjudicated consensus</source>
        <translation>Sehemu ya majibu ya mtathmini yanayolingana na maafikiano yaliyokubaliwa au yaliyosuluhishwa</translation>
    </message>
    <message>
        <source>Share of images where the rater&apos;s rank-1 diagnosis is the consensus diagnosis</source>
        <translation>Sehemu ya picha ambazo utambuzi wa nafasi ya 1 wa mtathmini ndio utambuzi wa maafikiano</translation>
    </message>
</context>
<context>
    <name>dl::RatingsFile</name>
    <message>
        <source>%1: the header must be exactly &quot;item,rater,field,value&quot;, not &quot;%2&quot;.</source>
        <translation>%1: kichwa lazima kiwe hasa &quot;item,rater,field,value&quot;, si &quot;%2&quot;.</translation>
    </message>
    <message>
        <source>%1, line %2: the item, rater and field must not be empty.</source>
        <translation>%1, mstari %2: kipengele, mtathmini na sehemu havipaswi kuwa tupu.</translation>
    </message>
    <message>
        <source>%1, line %2: rater &quot;%3&quot; already rated item &quot;%4&quot; for field &quot;%5&quot;.</source>
        <translation>%1, mstari %2: mtathmini &quot;%3&quot; tayari alitathmini kipengele &quot;%4&quot; kwa sehemu &quot;%5&quot;.</translation>
    </message>
</context>
<context>
    <name>dl::Redactor</name>
    <message>
        <source>Redaction needs an 8-bit image with 1, 3 or 4 channels.</source>
        <translation>Ufunikaji unahitaji picha ya biti 8 yenye chaneli 1, 3 au 4.</translation>
    </message>
    <message>
        <source>The redaction region is %1 x %2 (type %3) but the image is %4 x %5.</source>
        <translation>Eneo la kufunika ni %1 x %2 (aina %3) lakini picha ni %4 x %5.</translation>
    </message>
    <message>
        <source>Cannot redact a null image.</source>
        <translation>Haiwezekani kufunika picha tupu.</translation>
    </message>
</context>
<context>
    <name>dl::ReferenceLabelAccess</name>
    <message>
        <source>Reference labels are hidden from raters (blinded).</source>
        <translation>Lebo za marejeo zimefichwa kwa watathmini (kwa upofu).</translation>
    </message>
    <message>
        <source>This image is not assigned to %1.</source>
        <translation>Picha hii haijagawiwa kwa %1.</translation>
    </message>
</context>
<context>
    <name>dl::ReleaseGate</name>
    <message>
        <source>Sensitive content</source>
        <translation>Maudhui nyeti</translation>
    </message>
    <message>
        <source>Identifying content without a region to redact</source>
        <translation>Maudhui yanayotambulisha bila eneo la kufunika</translation>
    </message>
    <message>
        <source>Possible face not yet reviewed</source>
        <translation>Uso unaowezekana ambao bado haujapitiwa</translation>
    </message>
    <message>
        <source>Too few raters</source>
        <translation>Watathmini wachache mno</translation>
    </message>
    <message>
        <source>Quasi-identifiers shared by fewer than k records</source>
        <translation>Vitambulishi nusu vinavyoshirikiwa na rekodi chini ya k</translation>
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
        <translation>Wengi wa %1: %2</translation>
    </message>
    <message>
        <source>STAPLE: %1</source>
        <translation>STAPLE: %1</translation>
    </message>
    <message>
        <source>%1 sensitivity %2, specificity %3</source>
        <translation>%1 unyeti %2, umahususi %3</translation>
    </message>
    <message>
        <source>%1 — STAPLE: %2</source>
        <translation>%1 — STAPLE: %2</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>Mapitio</translation>
    </message>
    <message>
        <source>Confirm &amp;Face</source>
        <translation>Thi&amp;bitisha Uso</translation>
    </message>
    <message>
        <source>A face shows: the image needs an identifying face region to be exported</source>
        <translation>Uso unaonekana: picha inahitaji eneo la uso linalotambulisha ili ihamishwe</translation>
    </message>
    <message>
        <source>&amp;Not a Face</source>
        <translation>&amp;Si Uso</translation>
    </message>
    <message>
        <source>The check was wrong: the flag no longer holds the image back</source>
        <translation>Ukaguzi ulikosea: alama haizuii tena picha</translation>
    </message>
    <message>
        <source>&lt;b&gt;Masks&lt;/b&gt; (tick to show)</source>
        <translation>&lt;b&gt;Maski&lt;/b&gt; (weka alama ili kuonyesha)</translation>
    </message>
    <message>
        <source>Choose the value…</source>
        <translation>Chagua thamani…</translation>
    </message>
    <message>
        <source>Required: why this value (recorded in the audit log)</source>
        <translation>Inahitajika: kwa nini thamani hii (inarekodiwa katika kumbukumbu ya ukaguzi)</translation>
    </message>
    <message>
        <source>&amp;Apply</source>
        <translation>&amp;Tumia</translation>
    </message>
    <message>
        <source>Adjudicate</source>
        <translation>Suluhisha</translation>
    </message>
    <message>
        <source>&amp;Field:</source>
        <translation>Se&amp;hemu:</translation>
    </message>
    <message>
        <source>&amp;Value:</source>
        <translation>Tha&amp;mani:</translation>
    </message>
    <message>
        <source>&amp;Reason:</source>
        <translation>S&amp;ababu:</translation>
    </message>
    <message>
        <source>Only QA leads and admins settle disagreements.</source>
        <translation>Viongozi wa ubora na wasimamizi tu ndio husuluhisha kutokubaliana.</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Funga</translation>
    </message>
    <message>
        <source>← Previous (PgUp)</source>
        <translation>← Iliyotangulia (PgUp)</translation>
    </message>
    <message>
        <source>Next (PgDown) →</source>
        <translation>Inayofuata (PgDown) →</translation>
    </message>
    <message>
        <source>No such image.</source>
        <translation>Hakuna picha kama hiyo.</translation>
    </message>
    <message>
        <source>1 region</source>
        <translation>Eneo 1</translation>
    </message>
    <message>
        <source>%1 regions</source>
        <translation>Maeneo %1</translation>
    </message>
    <message>
        <source>&lt;b&gt;Possible face&lt;/b&gt; found by the face check (%1, dashed on the image). Held back from export until confirmed or dismissed.</source>
        <translation>&lt;b&gt;Uso unaowezekana&lt;/b&gt; umepatikana na ukaguzi wa nyuso (%1, kwa mistari ya vitone kwenye picha). Imezuiwa isihamishwe hadi ithibitishwe au ikataliwe.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Face confirmed.&lt;/b&gt; The image is exported only with a face region marked as identifying (redacted).</source>
        <translation>&lt;b&gt;Uso umethibitishwa.&lt;/b&gt; Picha inahamishwa tu ikiwa na eneo la uso lililowekewa alama kama linalotambulisha (limefunikwa).</translation>
    </message>
    <message>
        <source>&lt;b&gt;Face flag dismissed:&lt;/b&gt; no face on this image.</source>
        <translation>&lt;b&gt;Alama ya uso imekataliwa:&lt;/b&gt; hakuna uso kwenye picha hii.</translation>
    </message>
    <message>
        <source>Loading the image…</source>
        <translation>Inapakia picha…</translation>
    </message>
    <message>
        <source>The image cannot be shown: %1</source>
        <translation>Picha haiwezi kuonyeshwa: %1</translation>
    </message>
    <message>
        <source>%1 × %2 pixels; wheel zooms, drag pans, F fits</source>
        <translation>Pikseli %1 × %2; gurudumu hukuza, kuburuta husogeza, F hutosheleza</translation>
    </message>
    <message>
        <source>No rater drew a mask on this image.</source>
        <translation>Hakuna mtathmini aliyechora maski kwenye picha hii.</translation>
    </message>
    <message>
        <source>%1 settled as %2.</source>
        <translation>%1 imesuluhishwa kama %2.</translation>
    </message>
    <message>
        <source>1 rater</source>
        <translation>Mtathmini 1</translation>
    </message>
    <message>
        <source>%1 raters</source>
        <translation>Watathmini %1</translation>
    </message>
    <message>
        <source>nothing open</source>
        <translation>hakuna kilicho wazi</translation>
    </message>
    <message>
        <source>1 field open</source>
        <translation>Sehemu 1 iko wazi</translation>
    </message>
    <message>
        <source>%1 fields open</source>
        <translation>Sehemu %1 ziko wazi</translation>
    </message>
    <message>
        <source>disagreement %1 of %2 (Page Down: next, Page Up: previous)</source>
        <translation>kutokubaliana %1 kati ya %2 (Page Down: kinachofuata, Page Up: kilichotangulia)</translation>
    </message>
    <message>
        <source>not in the disagreement list</source>
        <translation>haimo kwenye orodha ya kutokubaliana</translation>
    </message>
    <message>
        <source>Review %1</source>
        <translation>Pitia %1</translation>
    </message>
</context>
<context>
    <name>dl::ReviewTableModel</name>
    <message>
        <source>Cannot determine</source>
        <translation>Haiwezi kubainishwa</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>agreed</source>
        <translation>imekubaliwa</translation>
    </message>
    <message>
        <source>pending</source>
        <translation>inasubiri</translation>
    </message>
    <message>
        <source>to adjudicate</source>
        <translation>ya kusuluhishwa</translation>
    </message>
    <message>
        <source>adjudicated</source>
        <translation>imesuluhishwa</translation>
    </message>
    <message>
        <source>%1 %2%</source>
        <translation>%1 %2%</translation>
    </message>
    <message>
        <source>— (not asked)</source>
        <translation>— (haikuulizwa)</translation>
    </message>
    <message>
        <source>%1 · agreed %2/%3</source>
        <translation>%1 · imekubaliwa %2/%3</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <source>Differential (confidence)</source>
        <translation>Utambuzi tofauti (uhakika)</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Dokezo</translation>
    </message>
    <message>
        <source>Diagnosis, rank 1</source>
        <translation>Utambuzi, nafasi ya 1</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>Sehemu</translation>
    </message>
    <message>
        <source>Consensus</source>
        <translation>Maafikiano</translation>
    </message>
</context>
<context>
    <name>dl::Role</name>
    <message>
        <source>Dermatologist</source>
        <translation>Daktari wa ngozi</translation>
    </message>
    <message>
        <source>QA lead</source>
        <translation>Kiongozi wa ubora</translation>
    </message>
    <message>
        <source>Administrator</source>
        <translation>Msimamizi</translation>
    </message>
</context>
<context>
    <name>dl::RowWriter</name>
    <message>
        <source>Cannot copy rows of %1: %2</source>
        <translation>Imeshindwa kunakili safu mlalo za %1: %2</translation>
    </message>
</context>
<context>
    <name>dl::SchemaMigrator</name>
    <message>
        <source>This file is not a DermLabel store (it holds other tables).</source>
        <translation>Faili hii si hifadhi ya DermLabel (ina majedwali mengine).</translation>
    </message>
    <message>
        <source>This database is not a DermLabel store (it holds other tables).</source>
        <translation>Hifadhidata hii si hifadhi ya DermLabel (ina majedwali mengine).</translation>
    </message>
    <message>
        <source>This store was written by a newer version of DermLabel (schema %1); this program understands schema %2 at most. Install the newer DermLabel to open it.</source>
        <translation>Hifadhi hii iliandikwa na toleo jipya zaidi la DermLabel (skima %1); programu hii inaelewa skima %2 kwa upeo. Sakinisha DermLabel mpya zaidi ili kuifungua.</translation>
    </message>
    <message>
        <source>Could not start the schema update: %1</source>
        <translation>Imeshindwa kuanza usasishaji wa skima: %1</translation>
    </message>
    <message>
        <source>Schema update %1 failed: %2</source>
        <translation>Usasishaji wa skima %1 umeshindwa: %2</translation>
    </message>
    <message>
        <source>Schema update %1 (%2) failed: %3</source>
        <translation>Usasishaji wa skima %1 (%2) umeshindwa: %3</translation>
    </message>
    <message>
        <source>Schema update %1 could not be saved: %2</source>
        <translation>Usasishaji wa skima %1 haukuweza kuhifadhiwa: %2</translation>
    </message>
</context>
<context>
    <name>dl::ScinReader</name>
    <message>
        <source>%1 is not a folder.</source>
        <translation>%1 si folda.</translation>
    </message>
    <message>
        <source>%1 has no scin_cases.csv: is it a SCIN dataset folder?</source>
        <translation>%1 haina scin_cases.csv: je, ni folda ya seti ya data ya SCIN?</translation>
    </message>
    <message>
        <source>scin_cases.csv line %1: empty case_id; row skipped.</source>
        <translation>scin_cases.csv mstari %1: case_id tupu; safu mlalo imerukwa.</translation>
    </message>
    <message>
        <source>scin_cases.csv line %1: case %2 appears again; only the first row is used.</source>
        <translation>scin_cases.csv mstari %1: kesi %2 inaonekana tena; safu mlalo ya kwanza tu ndiyo inatumika.</translation>
    </message>
    <message>
        <source>scin_labels.csv has labels for %1 cases that scin_cases.csv does not list.</source>
        <translation>scin_labels.csv ina lebo za kesi %1 ambazo scin_cases.csv haiziorodheshi.</translation>
    </message>
</context>
<context>
    <name>dl::SessionService</name>
    <message>
        <source>A team store is named by a URL such as postgresql://server.example.org/dermlabel.</source>
        <translation>Hifadhi ya timu hutajwa kwa URL kama postgresql://server.example.org/dermlabel.</translation>
    </message>
    <message>
        <source>Enter your user name and password.</source>
        <translation>Andika jina lako la mtumiaji na nenosiri.</translation>
    </message>
    <message>
        <source>The user name or password is wrong, or the account is disabled.</source>
        <translation>Jina la mtumiaji au nenosiri si sahihi, au akaunti imezimwa.</translation>
    </message>
    <message>
        <source>This store has its administrator already: sign in instead.</source>
        <translation>Hifadhi hii tayari ina msimamizi wake: ingia badala yake.</translation>
    </message>
    <message numerus="yes">
        <source>Too many failed sign-ins with this name. Try again in %n second(s).</source>
        <translation>
            <numerusform>Majaribio mengi mno ya kuingia yaliyoshindwa kwa jina hili. Jaribu tena baada ya sekunde %n.</numerusform>
            <numerusform>Majaribio mengi mno ya kuingia yaliyoshindwa kwa jina hili. Jaribu tena baada ya sekunde %n.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>dl::ShortcutSheet</name>
    <message>
        <source>Keyboard Shortcuts</source>
        <translation>Mikato ya Kibodi</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>Vitufe</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Kitendo</translation>
    </message>
    <message>
        <source> or </source>
        <translation> au </translation>
    </message>
    <message>
        <source>Commands</source>
        <translation>Amri</translation>
    </message>
    <message>
        <source>Label form (when it has the focus)</source>
        <translation>Fomu ya lebo (ikiwa na fokasi)</translation>
    </message>
    <message>
        <source>Image (when it has the focus)</source>
        <translation>Picha (ikiwa na fokasi)</translation>
    </message>
    <message>
        <source>+ / −, mouse wheel</source>
        <translation>+ / −, gurudumu la kipanya</translation>
    </message>
    <message>
        <source>Zoom in / out around the cursor</source>
        <translation>Kuza karibu / mbali kuzunguka kishale</translation>
    </message>
    <message>
        <source>0 or F</source>
        <translation>0 au F</translation>
    </message>
    <message>
        <source>Fit the image to the window</source>
        <translation>Tosheleza picha kwenye dirisha</translation>
    </message>
    <message>
        <source>1</source>
        <translation>1</translation>
    </message>
    <message>
        <source>Actual size (100%)</source>
        <translation>Ukubwa halisi (100%)</translation>
    </message>
    <message>
        <source>Arrow keys, middle drag, Space+drag</source>
        <translation>Vitufe vya mishale, buruta kwa kitufe cha kati, Space+buruta</translation>
    </message>
    <message>
        <source>Pan (and left drag with the Pan tool, H)</source>
        <translation>Sogeza (na buruta kwa kitufe cha kushoto ukiwa na zana ya Sogeza, H)</translation>
    </message>
    <message>
        <source>Mask tools (when the image has the focus)</source>
        <translation>Zana za maski (picha ikiwa na fokasi)</translation>
    </message>
</context>
<context>
    <name>dl::SignInDialog</name>
    <message>
        <source>Create the administrator account</source>
        <translation>Unda akaunti ya msimamizi</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Ingia</translation>
    </message>
    <message>
        <source>Sign in to the team store &lt;b&gt;%1&lt;/b&gt;. Your user name and password are checked by the server.</source>
        <translation>Ingia kwenye hifadhi ya timu &lt;b&gt;%1&lt;/b&gt;. Jina lako la mtumiaji na nenosiri hukaguliwa na seva.</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; has no users yet. Create the administrator account: it imports images, adds raters and assigns work.</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; bado haina watumiaji. Unda akaunti ya msimamizi: huingiza picha, huongeza watathmini na hugawa kazi.</translation>
    </message>
    <message>
        <source>Sign in to &lt;b&gt;%1&lt;/b&gt;.</source>
        <translation>Ingia kwenye &lt;b&gt;%1&lt;/b&gt;.</translation>
    </message>
    <message>
        <source>&amp;User name:</source>
        <translation>&amp;Jina la mtumiaji:</translation>
    </message>
    <message>
        <source>e.g. Dr. Ana Silva</source>
        <translation>mf. Dkt. Ana Silva</translation>
    </message>
    <message>
        <source>&amp;Full name:</source>
        <translation>Jina &amp;kamili:</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>&amp;Nenosiri:</translation>
    </message>
    <message>
        <source>&amp;Repeat password:</source>
        <translation>&amp;Rudia nenosiri:</translation>
    </message>
    <message>
        <source>Create and Sign In</source>
        <translation>Unda na Uingie</translation>
    </message>
    <message>
        <source>Sign In</source>
        <translation>Ingia</translation>
    </message>
    <message>
        <source>The passwords do not match.</source>
        <translation>Manenosiri hayalingani.</translation>
    </message>
</context>
<context>
    <name>dl::Sql</name>
    <message>
        <source>Database error: %1</source>
        <translation>Hitilafu ya hifadhidata: %1</translation>
    </message>
    <message>
        <source>Database error: no id returned</source>
        <translation>Hitilafu ya hifadhidata: hakuna kitambulisho kilichorudishwa</translation>
    </message>
</context>
<context>
    <name>dl::SqlDialect</name>
    <message>
        <source>Could not configure the store (%1): %2</source>
        <translation>Imeshindwa kusanidi hifadhi (%1): %2</translation>
    </message>
    <message>
        <source>The PostgreSQL server is too old (version number %1); a team store needs PostgreSQL 10 or later.</source>
        <translation>Seva ya PostgreSQL ni ya zamani mno (namba ya toleo %1); hifadhi ya timu inahitaji PostgreSQL 10 au mpya zaidi.</translation>
    </message>
    <message>
        <source>The PostgreSQL server has standard_conforming_strings off; a team store needs it on (the default).</source>
        <translation>Seva ya PostgreSQL ina standard_conforming_strings imezimwa; hifadhi ya timu inahitaji iwe imewashwa (chaguo-msingi).</translation>
    </message>
    <message>
        <source>The store could not switch to write-ahead logging (journal mode is &apos;%1&apos;). Is it on a read-only or network drive?</source>
        <translation>Hifadhi haikuweza kubadilika kwenda kumbukumbu ya kuandika-kwanza (hali ya jarida ni &apos;%1&apos;). Je, iko kwenye diski ya kusoma tu au ya mtandao?</translation>
    </message>
    <message>
        <source>Foreign key enforcement is not available.</source>
        <translation>Utekelezaji wa funguo za kigeni haupatikani.</translation>
    </message>
    <message>
        <source>index %1 is not valid (rebuild it with REINDEX)</source>
        <translation>faharasa %1 si sahihi (iunde upya kwa REINDEX)</translation>
    </message>
    <message>
        <source>constraint %1 of %2 was never validated</source>
        <translation>kizuizi %1 cha %2 hakijawahi kuthibitishwa</translation>
    </message>
</context>
<context>
    <name>dl::Store</name>
    <message>
        <source>Only a team store signs in to a server.</source>
        <translation>Hifadhi ya timu tu ndiyo huingia kwenye seva.</translation>
    </message>
    <message>
        <source>No store path given.</source>
        <translation>Hakuna njia ya hifadhi iliyotolewa.</translation>
    </message>
    <message>
        <source>%1 is a folder, not a store file.</source>
        <translation>%1 ni folda, si faili ya hifadhi.</translation>
    </message>
    <message>
        <source>There is no store at %1.</source>
        <translation>Hakuna hifadhi kwenye %1.</translation>
    </message>
    <message>
        <source>%1 already exists.</source>
        <translation>%1 tayari ipo.</translation>
    </message>
    <message>
        <source>Cannot create the folder %1.</source>
        <translation>Imeshindwa kuunda folda %1.</translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>Imeshindwa kusoma %1: %2</translation>
    </message>
    <message>
        <source>%1 is not a DermLabel store.</source>
        <translation>%1 si hifadhi ya DermLabel.</translation>
    </message>
    <message>
        <source>%1 Create the store first (dermlabel-cli init --store URL).</source>
        <translation>%1 Unda hifadhi kwanza (dermlabel-cli init --store URL).</translation>
    </message>
    <message>
        <source>Cannot create the image folder %1.</source>
        <translation>Imeshindwa kuunda folda ya picha %1.</translation>
    </message>
    <message>
        <source>Cannot open the store %1: %2</source>
        <translation>Imeshindwa kufungua hifadhi %1: %2</translation>
    </message>
    <message>
        <source>The database %1 already exists and is not empty.</source>
        <translation>Hifadhidata %1 tayari ipo na si tupu.</translation>
    </message>
    <message>
        <source>The store %1 is in use by another program (%2, process %3 on %4). Close it there first, then try again.</source>
        <translation>Hifadhi %1 inatumiwa na programu nyingine (%2, mchakato %3 kwenye %4). Ifunge huko kwanza, kisha ujaribu tena.</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>haijulikani</translation>
    </message>
    <message>
        <source>this computer</source>
        <translation>kompyuta hii</translation>
    </message>
    <message>
        <source>Cannot create the lock file beside %1 (is the folder writable?).</source>
        <translation>Imeshindwa kuunda faili ya kufuli kando ya %1 (je, folda inaweza kuandikwa?).</translation>
    </message>
</context>
<context>
    <name>dl::StoreBackup</name>
    <message>
        <source>A team store is backed up with &apos;dermlabel-cli migrate --from URL --to copy.dermlabel&apos;.</source>
        <translation>Hifadhi ya timu huwekewa nakala rudufu kwa &apos;dermlabel-cli migrate --from URL --to copy.dermlabel&apos;.</translation>
    </message>
    <message>
        <source>%1 exists already: a backup never overwrites anything.</source>
        <translation>%1 tayari ipo: nakala rudufu haiandiki juu ya kitu chochote kamwe.</translation>
    </message>
    <message>
        <source>The backup cannot be the store itself.</source>
        <translation>Nakala rudufu haiwezi kuwa hifadhi yenyewe.</translation>
    </message>
    <message>
        <source>Cannot create the folder %1.</source>
        <translation>Imeshindwa kuunda folda %1.</translation>
    </message>
    <message>
        <source>Cannot read the backup %1: %2</source>
        <translation>Imeshindwa kusoma nakala rudufu %1: %2</translation>
    </message>
    <message>
        <source>The backup was cancelled; nothing was kept.</source>
        <translation>Nakala rudufu imeghairiwa; hakuna kilichobakizwa.</translation>
    </message>
    <message>
        <source>Cannot copy the image file %1 to the backup.</source>
        <translation>Imeshindwa kunakili faili ya picha %1 kwenye nakala rudufu.</translation>
    </message>
    <message>
        <source>The backup does not pass its check; nothing was kept.</source>
        <translation>Nakala rudufu haipiti ukaguzi wake; hakuna kilichobakizwa.</translation>
    </message>
</context>
<context>
    <name>dl::StoreChangeListener</name>
    <message>
        <source>Cannot listen to the store&apos;s changes.</source>
        <translation>Imeshindwa kufuatilia mabadiliko ya hifadhi.</translation>
    </message>
    <message>
        <source>The server does not deliver change notifications: %1</source>
        <translation>Seva haitumi arifa za mabadiliko: %1</translation>
    </message>
</context>
<context>
    <name>dl::StoreCopier</name>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>Imeshindwa kusoma %1: %2</translation>
    </message>
    <message>
        <source>%1 is not a DermLabel store (it holds other tables).</source>
        <translation>%1 si hifadhi ya DermLabel (ina majedwali mengine).</translation>
    </message>
    <message>
        <source>The target %1 holds a store with schema version %2, the source has schema version %3. A copy needs both at the same version: bring the older one up to date with this program first (dermlabel-cli init --store ... for a team store, any command for a store file), or choose another target.</source>
        <translation>Lengo %1 lina hifadhi yenye toleo la skima %2, chanzo kina toleo la skima %3. Nakala inahitaji zote mbili ziwe toleo moja: sasisha ya zamani zaidi kwa programu hii kwanza (dermlabel-cli init --store ... kwa hifadhi ya timu, amri yoyote kwa faili ya hifadhi), au chagua lengo lingine.</translation>
    </message>
    <message>
        <source>The target %1 must be opened as the store&apos;s owner: a superuser, or a role with CREATEROLE that owns the database (the role that runs &apos;dermlabel-cli init&apos;), because the copy creates the users&apos; login roles.</source>
        <translation>Lengo %1 lazima lifunguliwe kama mmiliki wa hifadhi: superuser, au jukumu lenye CREATEROLE linalomiliki hifadhidata (jukumu linaloendesha &apos;dermlabel-cli init&apos;), kwa sababu nakala huunda majukumu ya kuingia ya watumiaji.</translation>
    </message>
    <message>
        <source>The target %1 has schema version %2, the source %3.</source>
        <translation>Lengo %1 lina toleo la skima %2, chanzo %3.</translation>
    </message>
    <message>
        <source>The source has schema version %1, the target %2: a copy needs the same version.</source>
        <translation>Chanzo kina toleo la skima %1, lengo %2: nakala inahitaji toleo moja.</translation>
    </message>
    <message>
        <source>Cannot read the source store&apos;s secret, which keeps its pseudonyms: open it as the store&apos;s owner or an administrator.</source>
        <translation>Imeshindwa kusoma siri ya hifadhi ya chanzo, inayolinda majina yake bandia: ifungue kama mmiliki wa hifadhi au msimamizi.</translation>
    </message>
    <message>
        <source>The target %1 holds another store (%2). A migration copies a store into a new or empty one, or completes an earlier copy of the same store; it never merges two stores. Choose another target, or remove that store first.</source>
        <translation>Lengo %1 lina hifadhi nyingine (%2). Uhamishaji wa hifadhi hunakili hifadhi kwenye hifadhi mpya au tupu, au hukamilisha nakala ya awali ya hifadhi hiyo hiyo; kamwe haiunganishi hifadhi mbili. Chagua lengo lingine, au ondoa hifadhi hiyo kwanza.</translation>
    </message>
    <message>
        <source>These user names cannot become server login roles (a team store needs lower-case letters, digits, &apos;.&apos;, &apos;_&apos; or &apos;-&apos;, starting with a letter): %1. Rename or remove them in the source first.</source>
        <translation>Majina haya ya watumiaji hayawezi kuwa majukumu ya kuingia kwenye seva (hifadhi ya timu inahitaji herufi ndogo, tarakimu, &apos;.&apos;, &apos;_&apos; au &apos;-&apos;, ikianza na herufi): %1. Yabadilishe majina au uyaondoe kwenye chanzo kwanza.</translation>
    </message>
    <message>
        <source>Cannot read the source store: %1</source>
        <translation>Imeshindwa kusoma hifadhi ya chanzo: %1</translation>
    </message>
    <message>
        <source>Cannot write to the target store: %1</source>
        <translation>Imeshindwa kuandika kwenye hifadhi lengwa: %1</translation>
    </message>
    <message>
        <source>Cannot prepare the target: %1</source>
        <translation>Imeshindwa kuandaa lengo: %1</translation>
    </message>
    <message>
        <source>The table %1 has other columns in the target than in the source.</source>
        <translation>Jedwali %1 lina safu wima tofauti kwenye lengo kuliko kwenye chanzo.</translation>
    </message>
    <message>
        <source>Cannot give the user %1 a login role: %2</source>
        <translation>Imeshindwa kumpa mtumiaji %1 jukumu la kuingia: %2</translation>
    </message>
    <message>
        <source>Cannot advance the ids of %1: %2</source>
        <translation>Imeshindwa kusogeza mbele vitambulisho vya %1: %2</translation>
    </message>
    <message>
        <source>The copy does not match the source in %1; nothing was written.</source>
        <translation>Nakala hailingani na chanzo katika %1; hakuna kilichoandikwa.</translation>
    </message>
    <message>
        <source>The target is an earlier copy of this store, and rows of %1 have changed since: they differ from the source, and a migration never overwrites rows. Nothing was written; remove the target and migrate again for a fresh copy.</source>
        <translation>Lengo ni nakala ya awali ya hifadhi hii, na safu mlalo za %1 zimebadilika tangu wakati huo: zinatofautiana na chanzo, na uhamishaji wa hifadhi haundiki juu ya safu mlalo kamwe. Hakuna kilichoandikwa; ondoa lengo na uhamishe tena kwa nakala mpya.</translation>
    </message>
    <message>
        <source>Cannot save the copy: %1</source>
        <translation>Imeshindwa kuhifadhi nakala: %1</translation>
    </message>
</context>
<context>
    <name>dl::StoreInspector</name>
    <message>
        <source>The store is being written by another program: close it first.</source>
        <translation>Hifadhi inaandikwa na programu nyingine: ifunge kwanza.</translation>
    </message>
    <message>
        <source>%1: not in the image folder</source>
        <translation>%1: haiko kwenye folda ya picha</translation>
    </message>
</context>
<context>
    <name>dl::StoreLocation</name>
    <message>
        <source>No store given.</source>
        <translation>Hakuna hifadhi iliyotolewa.</translation>
    </message>
    <message>
        <source>%1 is neither a store file nor a postgresql:// URL.</source>
        <translation>%1 si faili ya hifadhi wala URL ya postgresql://.</translation>
    </message>
    <message>
        <source>%1 is not a valid URL: write postgresql://user@host:port/database.</source>
        <translation>%1 si URL sahihi: andika postgresql://user@host:port/database.</translation>
    </message>
    <message>
        <source>%1: a store URL has no #fragment.</source>
        <translation>%1: URL ya hifadhi haina #fragment.</translation>
    </message>
    <message>
        <source>%1: the port must be between 1 and 65535.</source>
        <translation>%1: mlango lazima uwe kati ya 1 na 65535.</translation>
    </message>
    <message>
        <source>%1 names no database: write postgresql://host/database.</source>
        <translation>%1 haitaji hifadhidata: andika postgresql://host/database.</translation>
    </message>
    <message>
        <source>%1: the database name must not contain &apos;/&apos;.</source>
        <translation>%1: jina la hifadhidata halipaswi kuwa na &apos;/&apos;.</translation>
    </message>
    <message>
        <source>%1: the option %2 is given twice.</source>
        <translation>%1: chaguo %2 limetolewa mara mbili.</translation>
    </message>
    <message>
        <source>%1: the option %2 needs a value without &apos;;&apos;.</source>
        <translation>%1: chaguo %2 linahitaji thamani isiyo na &apos;;&apos;.</translation>
    </message>
    <message>
        <source>%1: sslmode must be one of %2.</source>
        <translation>%1: sslmode lazima iwe mojawapo ya %2.</translation>
    </message>
    <message>
        <source>%1: connect_timeout must be a number of seconds.</source>
        <translation>%1: connect_timeout lazima iwe idadi ya sekunde.</translation>
    </message>
    <message>
        <source>%1: unknown option %2 (DermLabel understands sslmode, sslrootcert, connect_timeout and application_name).</source>
        <translation>%1: chaguo lisilojulikana %2 (DermLabel inaelewa sslmode, sslrootcert, connect_timeout na application_name).</translation>
    </message>
</context>
<context>
    <name>dl::SuperpixelTool</name>
    <message>
        <source>Preparing superpixels…</source>
        <translation>Inaandaa superpikseli…</translation>
    </message>
    <message>
        <source>The superpixels are still being prepared.</source>
        <translation>Superpikseli bado zinaandaliwa.</translation>
    </message>
    <message numerus="yes">
        <source>Superpixels ready: %n region(s).</source>
        <translation>
            <numerusform>Superpikseli ziko tayari: eneo %n.</numerusform>
            <numerusform>Superpikseli ziko tayari: maeneo %n.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>dl::Taxonomy</name>
    <message numerus="yes">
        <source>... and %n more problem(s)</source>
        <translation>
            <numerusform>... na tatizo %n zaidi</numerusform>
            <numerusform>... na matatizo %n zaidi</numerusform>
        </translation>
    </message>
    <message>
        <source>synonym &quot;%1&quot; contains &apos;|&apos;, which separates synonyms</source>
        <translation>kisawe &quot;%1&quot; kina &apos;|&apos;, ambayo hutenganisha visawe</translation>
    </message>
    <message>
        <source>synonym &quot;%1&quot; has no letters or digits</source>
        <translation>kisawe &quot;%1&quot; hakina herufi wala tarakimu</translation>
    </message>
    <message>
        <source>the id is empty</source>
        <translation>kitambulisho ni tupu</translation>
    </message>
    <message>
        <source>id &quot;%1&quot; may only contain lowercase letters a-z, digits and &apos;_&apos;</source>
        <translation>kitambulisho &quot;%1&quot; kinaweza kuwa na herufi ndogo a-z, tarakimu na &apos;_&apos; tu</translation>
    </message>
    <message>
        <source>duplicate id &quot;%1&quot; (first used on %2)</source>
        <translation>kitambulisho &quot;%1&quot; kimerudiwa (kilitumika kwanza kwenye %2)</translation>
    </message>
    <message>
        <source>condition &quot;%1&quot; has no name</source>
        <translation>ugonjwa &quot;%1&quot; hauna jina</translation>
    </message>
    <message>
        <source>name &quot;%1&quot; has no letters or digits</source>
        <translation>jina &quot;%1&quot; halina herufi wala tarakimu</translation>
    </message>
    <message>
        <source>name &quot;%1&quot; is already the name of &quot;%2&quot; (%3); names must differ in more than case, accents or punctuation</source>
        <translation>jina &quot;%1&quot; tayari ni jina la &quot;%2&quot; (%3); majina lazima yatofautiane kwa zaidi ya herufi kubwa/ndogo, viambishi au alama za uandishi</translation>
    </message>
    <message>
        <source>parent &quot;%1&quot; of &quot;%2&quot; is not a condition id</source>
        <translation>mzazi &quot;%1&quot; wa &quot;%2&quot; si kitambulisho cha ugonjwa</translation>
    </message>
    <message>
        <source>parents form a cycle: %1</source>
        <translation>wazazi wanaunda mzunguko: %1</translation>
    </message>
    <message>
        <source>synonym &quot;%1&quot; of &quot;%2&quot; is the name of &quot;%3&quot; (%4); that name maps to &quot;%3&quot;</source>
        <translation>kisawe &quot;%1&quot; cha &quot;%2&quot; ni jina la &quot;%3&quot; (%4); jina hilo linaelekeza kwa &quot;%3&quot;</translation>
    </message>
    <message>
        <source>synonym &quot;%1&quot; of &quot;%2&quot; is also a synonym of &quot;%3&quot; (%4); it maps to &quot;%3&quot;</source>
        <translation>kisawe &quot;%1&quot; cha &quot;%2&quot; pia ni kisawe cha &quot;%3&quot; (%4); kinaelekeza kwa &quot;%3&quot;</translation>
    </message>
    <message>
        <source>entry %1</source>
        <translation>kipengele %1</translation>
    </message>
    <message>
        <source>entry %1 (%2)</source>
        <translation>kipengele %1 (%2)</translation>
    </message>
    <message>
        <source>taxonomy CSV</source>
        <translation>CSV ya taksonomia</translation>
    </message>
    <message>
        <source>line %1</source>
        <translation>mstari %1</translation>
    </message>
    <message>
        <source>%1: cannot open the file: %2</source>
        <translation>%1: imeshindwa kufungua faili: %2</translation>
    </message>
    <message>
        <source>%1: cannot read the file: %2</source>
        <translation>%1: imeshindwa kusoma faili: %2</translation>
    </message>
</context>
<context>
    <name>dl::TaxonomyCsv</name>
    <message>
        <source>%1: the file has a header but no conditions</source>
        <translation>%1: faili ina kichwa lakini haina magonjwa</translation>
    </message>
    <message>
        <source>%1: column &quot;%2&quot; is not used and was ignored</source>
        <translation>%1: safu wima &quot;%2&quot; haitumiki na imepuuzwa</translation>
    </message>
</context>
<context>
    <name>dl::TeamSecurity</name>
    <message>
        <source>The team store&apos;s security rules are missing from this program.</source>
        <translation>Sheria za usalama za hifadhi ya timu hazipo katika programu hii.</translation>
    </message>
    <message>
        <source>Only the store&apos;s owner (a superuser, or a role with CREATEROLE that owns the database) may set up who may see what on a team store.</source>
        <translation>Mmiliki wa hifadhi tu (superuser, au jukumu lenye CREATEROLE linalomiliki hifadhidata) ndiye anayeweza kuweka nani anaweza kuona nini kwenye hifadhi ya timu.</translation>
    </message>
    <message>
        <source>Database error: %1</source>
        <translation>Hitilafu ya hifadhidata: %1</translation>
    </message>
    <message>
        <source>Cannot set up the team store&apos;s security: %1</source>
        <translation>Imeshindwa kuweka usalama wa hifadhi ya timu: %1</translation>
    </message>
    <message>
        <source>The team store&apos;s schema is older than this program. An administrator must upgrade it first, connected as the store&apos;s owner: dermlabel-cli init --store URL</source>
        <translation>Skima ya hifadhi ya timu ni ya zamani kuliko programu hii. Msimamizi lazima aisasishe kwanza, akiwa ameunganishwa kama mmiliki wa hifadhi: dermlabel-cli init --store URL</translation>
    </message>
    <message>
        <source>There is no such user.</source>
        <translation>Hakuna mtumiaji kama huyo.</translation>
    </message>
</context>
<context>
    <name>dl::TeamStoreDialog</name>
    <message>
        <source>Open Team Store</source>
        <translation>Fungua Hifadhi ya Timu</translation>
    </message>
    <message>
        <source>A team store lives on a PostgreSQL server that your team&apos;s administrator set up. Enter the address they gave you; you sign in next.</source>
        <translation>Hifadhi ya timu huishi kwenye seva ya PostgreSQL ambayo msimamizi wa timu yako aliiweka. Andika anwani aliyokupa; utaingia baadaye.</translation>
    </message>
    <message>
        <source>&amp;Address:</source>
        <translation>&amp;Anwani:</translation>
    </message>
    <message>
        <source>The connection is encrypted whenever the server offers it. To also check the server&apos;s certificate, end the address with &lt;tt style=&quot;white-space: nowrap&quot;&gt;?sslmode=verify-full&lt;/tt&gt;.</source>
        <translation>Muunganisho husimbwa kwa njia fiche kila seva inapotoa hivyo. Ili pia kukagua cheti cha seva, maliza anwani kwa &lt;tt style=&quot;white-space: nowrap&quot;&gt;?sslmode=verify-full&lt;/tt&gt;.</translation>
    </message>
    <message>
        <source>Continue</source>
        <translation>Endelea</translation>
    </message>
</context>
<context>
    <name>dl::ThumbnailMaker</name>
    <message>
        <source>The image header given does not match the image data</source>
        <translation>Kichwa cha picha kilichotolewa hakilingani na data ya picha</translation>
    </message>
    <message>
        <source>The thumbnail could not be encoded</source>
        <translation>Picha ndogo haikuweza kusimbwa</translation>
    </message>
</context>
<context>
    <name>dl::Transaction</name>
    <message>
        <source>The store is busy: another program keeps writing to it. Try again in a moment.</source>
        <translation>Hifadhi ina shughuli: programu nyingine inaendelea kuiandikia. Jaribu tena baada ya muda mfupi.</translation>
    </message>
</context>
<context>
    <name>dl::UserRepository</name>
    <message>
        <source>&apos;%1&apos; is not a valid user name: use 1 to 64 letters, digits, &apos;.&apos;, &apos;_&apos; or &apos;-&apos;.</source>
        <translation>&apos;%1&apos; si jina sahihi la mtumiaji: tumia herufi, tarakimu, &apos;.&apos;, &apos;_&apos; au &apos;-&apos; kuanzia 1 hadi 64.</translation>
    </message>
    <message>
        <source>The password must have at least %1 characters.</source>
        <translation>Nenosiri lazima liwe na angalau herufi %1.</translation>
    </message>
    <message>
        <source>There is already a user named &apos;%1&apos;.</source>
        <translation>Tayari kuna mtumiaji anayeitwa &apos;%1&apos;.</translation>
    </message>
</context>
<context>
    <name>dl::UserService</name>
    <message numerus="yes">
        <source>The password must have at least %n character(s).</source>
        <translation>
            <numerusform>Nenosiri lazima liwe na angalau herufi %n.</numerusform>
            <numerusform>Nenosiri lazima liwe na angalau herufi %n.</numerusform>
        </translation>
    </message>
    <message>
        <source>The signed-in user %1 is not in this store.</source>
        <translation>Mtumiaji aliyeingia %1 hayupo kwenye hifadhi hii.</translation>
    </message>
    <message>
        <source>There is no such user.</source>
        <translation>Hakuna mtumiaji kama huyo.</translation>
    </message>
    <message>
        <source>%1 is the last active administrator. Make another user an administrator first.</source>
        <translation>%1 ndiye msimamizi hai wa mwisho. Mfanye mtumiaji mwingine kuwa msimamizi kwanza.</translation>
    </message>
    <message>
        <source>%1 is already disabled.</source>
        <translation>%1 tayari amezimwa.</translation>
    </message>
</context>
<context>
    <name>dl::UserTableModel</name>
    <message>
        <source>active</source>
        <translation>hai</translation>
    </message>
    <message>
        <source>disabled</source>
        <translation>amezimwa</translation>
    </message>
    <message>
        <source>%1 assigned, %2 done, %3 to do</source>
        <translation>%1 zimegawiwa, %2 zimekamilika, %3 za kufanya</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Jina</translation>
    </message>
    <message>
        <source>Display name</source>
        <translation>Jina la kuonyeshwa</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Jukumu</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Hai</translation>
    </message>
    <message>
        <source>Assigned</source>
        <translation>Zilizogawiwa</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Zimekamilika</translation>
    </message>
</context>
<context>
    <name>dl::UsersDialog</name>
    <message>
        <source>Users</source>
        <translation>Watumiaji</translation>
    </message>
    <message>
        <source>&amp;Add…</source>
        <translation>&amp;Ongeza…</translation>
    </message>
    <message>
        <source>Add a dermatologist, QA lead or administrator (Ctrl+N)</source>
        <translation>Ongeza daktari wa ngozi, kiongozi wa ubora au msimamizi (Ctrl+N)</translation>
    </message>
    <message>
        <source>Reset &amp;Password…</source>
        <translation>Weka Upya &amp;Nenosiri…</translation>
    </message>
    <message>
        <source>Give the selected user a new password</source>
        <translation>Mpe mtumiaji aliyechaguliwa nenosiri jipya</translation>
    </message>
    <message>
        <source>&amp;Disable</source>
        <translation>&amp;Zima</translation>
    </message>
    <message>
        <source>Disable the selected account; unfinished work goes to other dermatologists</source>
        <translation>Zima akaunti iliyochaguliwa; kazi ambayo haijakamilika inaenda kwa madaktari wengine wa ngozi</translation>
    </message>
    <message>
        <source>&amp;Role</source>
        <translation>&amp;Jukumu</translation>
    </message>
    <message>
        <source>Change the selected user&apos;s role</source>
        <translation>Badilisha jukumu la mtumiaji aliyechaguliwa</translation>
    </message>
    <message>
        <source>&amp;Enable</source>
        <translation>&amp;Washa</translation>
    </message>
    <message>
        <source>Let the selected user sign in again</source>
        <translation>Mruhusu mtumiaji aliyechaguliwa kuingia tena</translation>
    </message>
    <message>
        <source>Added %1 (%2).</source>
        <translation>%1 ameongezwa (%2).</translation>
    </message>
    <message>
        <source>The password of %1 was changed.</source>
        <translation>Nenosiri la %1 limebadilishwa.</translation>
    </message>
    <message>
        <source>%1 can sign in again. Use Admin › Assign Images to give them new work.</source>
        <translation>%1 anaweza kuingia tena. Tumia Usimamizi › Gawa Picha ili kumpa kazi mpya.</translation>
    </message>
    <message>
        <source>%1 is disabled.</source>
        <translation>%1 amezimwa.</translation>
    </message>
    <message>
        <source>Unstarted images moved to other dermatologists: %1; new assignments: %2.</source>
        <translation>Picha ambazo hazijaanzwa zimehamishiwa madaktari wengine wa ngozi: %1; migawo mipya: %2.</translation>
    </message>
    <message>
        <source>Images with fewer raters than wanted: %1 (add or enable dermatologists).</source>
        <translation>Picha zenye watathmini wachache kuliko inavyotakiwa: %1 (ongeza au washa madaktari wa ngozi).</translation>
    </message>
    <message>
        <source>%1 is now %2.</source>
        <translation>%1 sasa ni %2.</translation>
    </message>
    <message>
        <source>Unstarted images moved to other dermatologists: %1.</source>
        <translation>Picha ambazo hazijaanzwa zimehamishiwa madaktari wengine wa ngozi: %1.</translation>
    </message>
    <message>
        <source>Disable User</source>
        <translation>Zima Mtumiaji</translation>
    </message>
    <message>
        <source>Disable %1 (%2)?</source>
        <translation>Zima %1 (%2)?</translation>
    </message>
    <message>
        <source>They can no longer sign in. Images they have not finished (%1) go to other dermatologists, so that every image keeps its number of raters; the labels they finished (%2) are kept.</source>
        <translation>Hawataweza kuingia tena. Picha ambazo hawajakamilisha (%1) zinaenda kwa madaktari wengine wa ngozi, ili kila picha ibaki na idadi yake ya watathmini; lebo walizokamilisha (%2) zinahifadhiwa.</translation>
    </message>
    <message>
        <source>They can no longer sign in.</source>
        <translation>Hawataweza kuingia tena.</translation>
    </message>
</context>
<context>
    <name>dl::ValueText</name>
    <message>
        <source>Not gradable</source>
        <translation>Haitathminiki</translation>
    </message>
    <message>
        <source>Cannot determine</source>
        <translation>Haiwezi kubainishwa</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>Ndiyo</translation>
    </message>
    <message>
        <source>No</source>
        <translation>Hapana</translation>
    </message>
    <message>
        <source>Unsure</source>
        <translation>Sina uhakika</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>DermLabel: annotation workstation for de-identified dermatology images.</source>
        <translation>DermLabel: kituo cha kazi cha kuweka maelezo kwenye picha za ngozi zisizotambulisha watu.</translation>
    </message>
    <message>
        <source>Open this store.</source>
        <translation>Fungua hifadhi hii.</translation>
    </message>
    <message>
        <source>PATH</source>
        <translation>NJIA</translation>
    </message>
</context>
</TS>
