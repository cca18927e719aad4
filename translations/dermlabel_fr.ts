<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context>
    <name>dl</name>
    <message>
        <source>There is not enough memory for this operation; nothing more was done.</source>
        <translation>Mémoire insuffisante pour cette opération ; rien de plus n&apos;a été fait.</translation>
    </message>
    <message>
        <source>The image processing library reported an error; nothing more was done: %1</source>
        <translation>La bibliothèque de traitement d&apos;images a signalé une erreur ; rien de plus n&apos;a été fait : %1</translation>
    </message>
    <message>
        <source>An unexpected error stopped this operation; nothing more was done: %1</source>
        <translation>Une erreur inattendue a interrompu cette opération ; rien de plus n&apos;a été fait : %1</translation>
    </message>
    <message>
        <source>An unexpected error stopped this operation; nothing more was done.</source>
        <translation>Une erreur inattendue a interrompu cette opération ; rien de plus n&apos;a été fait.</translation>
    </message>
    <message>
        <source>the folder is not empty and holds no manifest.json</source>
        <translation>le dossier n&apos;est pas vide et ne contient pas de manifest.json</translation>
    </message>
    <message>
        <source>its manifest.json is too large to be a bundle&apos;s</source>
        <translation>son manifest.json est trop volumineux pour être celui d&apos;un paquet</translation>
    </message>
    <message>
        <source>its manifest.json was not written by DermLabel</source>
        <translation>son manifest.json n&apos;a pas été écrit par DermLabel</translation>
    </message>
    <message>
        <source>it holds %1, which its manifest does not list</source>
        <translation>il contient %1, que son manifeste ne mentionne pas</translation>
    </message>
    <message>
        <source>the file is not a zip archive</source>
        <translation>le fichier n&apos;est pas une archive zip</translation>
    </message>
    <message>
        <source>the archive holds no manifest.json</source>
        <translation>l&apos;archive ne contient pas de manifest.json</translation>
    </message>
    <message>
        <source>its manifest.json cannot be read</source>
        <translation>son manifest.json est illisible</translation>
    </message>
    <message>
        <source>tag %1 has the type %2</source>
        <translation>la balise %1 est de type %2</translation>
    </message>
    <message>
        <source>tag %1 (%2) is too short</source>
        <translation>la balise %1 (%2) est trop courte</translation>
    </message>
    <message>
        <source>tag %1 has the unknown parametric curve type %2</source>
        <translation>la balise %1 a le type de courbe paramétrique inconnu %2</translation>
    </message>
    <message>
        <source>Not valid JSON: %1 at offset %2.</source>
        <translation>JSON non valide : %1 à la position %2.</translation>
    </message>
    <message>
        <source>A LabelMe file must be a JSON object.</source>
        <translation>Un fichier LabelMe doit être un objet JSON.</translation>
    </message>
    <message>
        <source>The LabelMe file has no &quot;imagePath&quot;.</source>
        <translation>Le fichier LabelMe n&apos;a pas de « imagePath ».</translation>
    </message>
    <message>
        <source>The LabelMe file needs a positive integer &quot;imageWidth&quot; and &quot;imageHeight&quot;.</source>
        <translation>Le fichier LabelMe doit avoir des entiers positifs « imageWidth » et « imageHeight ».</translation>
    </message>
    <message>
        <source>Not a JPEG file (no SOI marker).</source>
        <translation>Ce n&apos;est pas un fichier JPEG (pas de marqueur SOI).</translation>
    </message>
    <message>
        <source>The JPEG file is truncated: it ends without an EOI marker.</source>
        <translation>Le fichier JPEG est tronqué : il se termine sans marqueur EOI.</translation>
    </message>
    <message>
        <source>Corrupt JPEG: expected a marker at offset %1, found byte %2.</source>
        <translation>JPEG corrompu : marqueur attendu à la position %1, octet %2 trouvé.</translation>
    </message>
    <message>
        <source>The JPEG file is truncated: it ends inside a marker.</source>
        <translation>Le fichier JPEG est tronqué : il se termine au milieu d&apos;un marqueur.</translation>
    </message>
    <message>
        <source>Corrupt JPEG: unexpected marker %1 at offset %2.</source>
        <translation>JPEG corrompu : marqueur inattendu %1 à la position %2.</translation>
    </message>
    <message>
        <source>Corrupt JPEG: EOI before any scan.</source>
        <translation>JPEG corrompu : EOI avant tout balayage.</translation>
    </message>
    <message>
        <source>The JPEG file is truncated: segment %1 at offset %2 is cut short.</source>
        <translation>Le fichier JPEG est tronqué : le segment %1 à la position %2 est incomplet.</translation>
    </message>
    <message>
        <source>Corrupt JPEG: segment %1 at offset %2 has the invalid length %3.</source>
        <translation>JPEG corrompu : le segment %1 à la position %2 a la longueur non valide %3.</translation>
    </message>
    <message>
        <source>The JPEG file is truncated: segment %1 at offset %2 needs %3 bytes, %4 are left.</source>
        <translation>Le fichier JPEG est tronqué : le segment %1 à la position %2 nécessite %3 octets, il en reste %4.</translation>
    </message>
    <message>
        <source>Corrupt JPEG: a scan (SOS) before the frame header (SOF).</source>
        <translation>JPEG corrompu : un balayage (SOS) avant l&apos;en-tête de trame (SOF).</translation>
    </message>
    <message>
        <source>The JPEG file is truncated: the scan data starting at offset %1 does not end in a marker.</source>
        <translation>Le fichier JPEG est tronqué : les données de balayage commençant à la position %1 ne se terminent pas par un marqueur.</translation>
    </message>
    <message>
        <source>The JPEG file is truncated: it ends inside the scan data.</source>
        <translation>Le fichier JPEG est tronqué : il se termine au milieu des données de balayage.</translation>
    </message>
    <message>
        <source>Malformed ICC profile: an APP2 chunk without sequence number and count.</source>
        <translation>Profil ICC mal formé : un bloc APP2 sans numéro de séquence ni nombre total.</translation>
    </message>
    <message>
        <source>Malformed ICC profile: its APP2 chunks are not numbered 1 to %1 once each.</source>
        <translation>Profil ICC mal formé : ses blocs APP2 ne sont pas numérotés de 1 à %1, chacun une seule fois.</translation>
    </message>
    <message>
        <source>Malformed ICC profile: %1 of its %2 APP2 chunks are present.</source>
        <translation>Profil ICC mal formé : %1 de ses %2 blocs APP2 sont présents.</translation>
    </message>
    <message>
        <source>Malformed ICC profile: larger than %1 bytes.</source>
        <translation>Profil ICC mal formé : plus de %1 octets.</translation>
    </message>
    <message>
        <source>Malformed ICC profile: too large for 255 APP2 chunks.</source>
        <translation>Profil ICC mal formé : trop volumineux pour 255 blocs APP2.</translation>
    </message>
    <message>
        <source>Not a PNG file (no PNG signature).</source>
        <translation>Ce n&apos;est pas un fichier PNG (pas de signature PNG).</translation>
    </message>
    <message>
        <source>The PNG file is truncated: it ends without an IEND chunk.</source>
        <translation>Le fichier PNG est tronqué : il se termine sans bloc IEND.</translation>
    </message>
    <message>
        <source>Corrupt PNG: invalid chunk type at offset %1.</source>
        <translation>PNG corrompu : type de bloc non valide à la position %1.</translation>
    </message>
    <message>
        <source>Corrupt PNG: chunk %1 at offset %2 has the invalid length %3.</source>
        <translation>PNG corrompu : le bloc %1 à la position %2 a la longueur non valide %3.</translation>
    </message>
    <message>
        <source>The PNG file is truncated: chunk %1 at offset %2 is cut short.</source>
        <translation>Le fichier PNG est tronqué : le bloc %1 à la position %2 est incomplet.</translation>
    </message>
    <message>
        <source>Corrupt PNG: the first chunk is not a 13-byte IHDR.</source>
        <translation>PNG corrompu : le premier bloc n&apos;est pas un IHDR de 13 octets.</translation>
    </message>
    <message>
        <source>Unsupported PNG: unknown critical chunk %1.</source>
        <translation>PNG non pris en charge : bloc critique inconnu %1.</translation>
    </message>
    <message>
        <source>Corrupt PNG: the CRC of chunk %1 at offset %2 is wrong.</source>
        <translation>PNG corrompu : le CRC du bloc %1 à la position %2 est erroné.</translation>
    </message>
    <message>
        <source>Corrupt PNG: a second IHDR chunk.</source>
        <translation>PNG corrompu : un second bloc IHDR.</translation>
    </message>
    <message>
        <source>Corrupt PNG: no IDAT chunk before IEND.</source>
        <translation>PNG corrompu : aucun bloc IDAT avant IEND.</translation>
    </message>
    <message>
        <source>Cannot start zlib.</source>
        <translation>Impossible de démarrer zlib.</translation>
    </message>
    <message>
        <source>Malformed ICC profile: it inflates to more than %1 bytes.</source>
        <translation>Profil ICC mal formé : décompressé, il dépasse %1 octets.</translation>
    </message>
    <message>
        <source>Malformed ICC profile: its compressed data is corrupt or cut short.</source>
        <translation>Profil ICC mal formé : ses données compressées sont corrompues ou tronquées.</translation>
    </message>
    <message>
        <source>Malformed ICC profile: the iCCP chunk has no valid name.</source>
        <translation>Profil ICC mal formé : le bloc iCCP n&apos;a pas de nom valide.</translation>
    </message>
    <message>
        <source>Malformed ICC profile: unknown iCCP compression method %1.</source>
        <translation>Profil ICC mal formé : méthode de compression iCCP inconnue %1.</translation>
    </message>
    <message>
        <source>Cannot compress the ICC profile.</source>
        <translation>Impossible de compresser le profil ICC.</translation>
    </message>
    <message>
        <source> and %1 more</source>
        <translation> et %1 de plus</translation>
    </message>
    <message>
        <source>Case %1, column %2: %3</source>
        <translation>Cas %1, colonne %2 : %3</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a Fitzpatrick type; kept as an attribute only.</source>
        <translation>« %1 » n&apos;est pas un phototype de Fitzpatrick ; conservé seulement comme attribut.</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a Monk skin tone.</source>
        <translation>« %1 » n&apos;est pas une teinte de peau de Monk.</translation>
    </message>
    <message>
        <source>Field &quot;%1&quot; is %2, so its values must be numbers, but item &quot;%3&quot; has the value &quot;%4&quot; (rater &quot;%5&quot;).</source>
        <translation>Le champ « %1 » est %2 : ses valeurs doivent donc être des nombres, mais l&apos;élément « %3 » a la valeur « %4 » (évaluateur « %5 »).</translation>
    </message>
    <message>
        <source>No item has two or more ratings.</source>
        <translation>Aucun élément n&apos;a deux évaluations ou plus.</translation>
    </message>
    <message>
        <source>Items have different numbers of ratings (%1 to %2); Fleiss&apos; kappa needs the same number for every item.</source>
        <translation>Les éléments n&apos;ont pas le même nombre d&apos;évaluations (%1 à %2) ; le kappa de Fleiss exige le même nombre pour chaque élément.</translation>
    </message>
    <message>
        <source>Only one category was used, so chance agreement is 1 and kappa is undefined.</source>
        <translation>Une seule catégorie a été utilisée : la concordance due au hasard vaut 1 et le kappa n&apos;est pas défini.</translation>
    </message>
    <message>
        <source>the local PostgreSQL server</source>
        <translation>le serveur PostgreSQL local</translation>
    </message>
    <message>
        <source>(your login name)</source>
        <translation>(votre nom de connexion)</translation>
    </message>
    <message>
        <source>The table %1 is missing from the store %2.</source>
        <translation>La table %1 est absente de la base %2.</translation>
    </message>
    <message>
        <source>The table %1 has no primary key to copy it by.</source>
        <translation>La table %1 n&apos;a pas de clé primaire permettant de la copier.</translation>
    </message>
</context>
<context>
    <name>dl::AgreementReport</name>
    <message>
        <source>%1: no ratings for the field(s) given a level: %2.</source>
        <translation>%1 : aucune évaluation pour le ou les champs auxquels un niveau est attribué : %2.</translation>
    </message>
</context>
<context>
    <name>dl::AgreementTableModel</name>
    <message>
        <source>good (α ≥ 0.800)</source>
        <translation>bonne (α ≥ 0,800)</translation>
    </message>
    <message>
        <source>tentative (0.667 ≤ α &lt; 0.800)</source>
        <translation>provisoire (0,667 ≤ α &lt; 0,800)</translation>
    </message>
    <message>
        <source>poor (α &lt; 0.667)</source>
        <translation>faible (α &lt; 0,667)</translation>
    </message>
    <message>
        <source>not computable</source>
        <translation>non calculable</translation>
    </message>
    <message>
        <source>%1 images with at least two ratings; %2 ratings on them</source>
        <translation>%1 images avec au moins deux évaluations ; %2 évaluations sur celles-ci</translation>
    </message>
    <message>
        <source>Krippendorff&apos;s alpha (%1): %2</source>
        <translation>Alpha de Krippendorff (%1) : %2</translation>
    </message>
    <message>
        <source>Bootstrap percentile interval, %1 replicates</source>
        <translation>Intervalle percentile bootstrap, %1 réplications</translation>
    </message>
    <message>
        <source>Press “Confidence intervals” to run the bootstrap</source>
        <translation>Appuyez sur « Intervalles de confiance » pour lancer le bootstrap</translation>
    </message>
    <message>
        <source>%1 / %2: %3 (%4 images)</source>
        <translation>%1 / %2 : %3 (%4 images)</translation>
    </message>
    <message>
        <source>%1 %2: %3 images rated, %4 with at least two ratings</source>
        <translation>%1 %2 : %3 images évaluées, %4 avec au moins deux évaluations</translation>
    </message>
    <message>
        <source>Krippendorff&apos;s alpha for %1 %2</source>
        <translation>Alpha de Krippendorff pour %1 %2</translation>
    </message>
    <message>
        <source>Images with at least two ratings for %1 %2</source>
        <translation>Images avec au moins deux évaluations pour %1 %2</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>Champ</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>Niveau</translation>
    </message>
    <message>
        <source>Cases</source>
        <translation>Cas</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>Images</translation>
    </message>
    <message>
        <source>Raters</source>
        <translation>Évaluateurs</translation>
    </message>
    <message>
        <source>Agreement</source>
        <translation>Concordance</translation>
    </message>
    <message>
        <source>Fleiss κ</source>
        <translation>κ de Fleiss</translation>
    </message>
    <message>
        <source>α</source>
        <translation>α</translation>
    </message>
    <message>
        <source>α 95% CI</source>
        <translation>IC à 95 % de α</translation>
    </message>
    <message>
        <source>Mean pair κ</source>
        <translation>κ moyen par paire</translation>
    </message>
    <message>
        <source>Cases with at least two ratings</source>
        <translation>Cas avec au moins deux évaluations</translation>
    </message>
    <message>
        <source>Images with at least two ratings</source>
        <translation>Images avec au moins deux évaluations</translation>
    </message>
    <message>
        <source>Percent agreement: mean share of agreeing rater pairs per image</source>
        <translation>Concordance en pourcentage : part moyenne des paires d&apos;évaluateurs concordantes par image</translation>
    </message>
    <message>
        <source>Fleiss&apos; kappa (only when every image has the same number of ratings)</source>
        <translation>Kappa de Fleiss (seulement si chaque image a le même nombre d&apos;évaluations)</translation>
    </message>
    <message>
        <source>Krippendorff&apos;s alpha at the field&apos;s level of measurement</source>
        <translation>Alpha de Krippendorff au niveau de mesure du champ</translation>
    </message>
    <message>
        <source>95% bootstrap confidence interval of alpha (seeded, reproducible)</source>
        <translation>Intervalle de confiance bootstrap à 95 % de l&apos;alpha (avec graine, reproductible)</translation>
    </message>
    <message>
        <source>Mean Cohen&apos;s kappa over rater pairs; quadratic-weighted for ordinal fields</source>
        <translation>Kappa de Cohen moyen sur les paires d&apos;évaluateurs ; pondéré quadratiquement pour les champs ordinaux</translation>
    </message>
</context>
<context>
    <name>dl::AnnotationService</name>
    <message>
        <source>This image is not assigned to %1.</source>
        <translation>Cette image n&apos;est pas attribuée à %1.</translation>
    </message>
    <message>
        <source>Unknown reason for not gradable: %1</source>
        <translation>Motif inconnu de non-évaluabilité : %1</translation>
    </message>
    <message>
        <source>Visible skin condition must be yes, no or unsure.</source>
        <translation>« Affection cutanée visible » doit valoir oui, non ou incertain.</translation>
    </message>
    <message>
        <source>Unknown kind of identifying content: %1</source>
        <translation>Type de contenu identifiant inconnu : %1</translation>
    </message>
    <message>
        <source>At most %1 potential diagnoses.</source>
        <translation>Au plus %1 diagnostics possibles.</translation>
    </message>
    <message>
        <source>Each potential diagnosis must be a different condition.</source>
        <translation>Chaque diagnostic possible doit être une affection différente.</translation>
    </message>
    <message>
        <source>Confidence must be from 1 to 5.</source>
        <translation>La confiance doit être comprise entre 1 et 5.</translation>
    </message>
    <message>
        <source>&apos;Cannot determine&apos; excludes potential diagnoses.</source>
        <translation>« Impossible à déterminer » exclut les diagnostics possibles.</translation>
    </message>
    <message>
        <source>Fitzpatrick type must be I to VI or not gradable.</source>
        <translation>Le phototype de Fitzpatrick doit être de I à VI ou non évaluable.</translation>
    </message>
    <message>
        <source>Monk skin tone must be 1 to 10 or not gradable.</source>
        <translation>La teinte de peau de Monk doit être de 1 à 10 ou non évaluable.</translation>
    </message>
    <message>
        <source>Only the author may change an annotation.</source>
        <translation>Seul l&apos;auteur peut modifier une annotation.</translation>
    </message>
    <message>
        <source>These labels were changed elsewhere (in another window or on another workstation) since they were read here; nothing was overwritten.</source>
        <translation>Ces étiquettes ont été modifiées ailleurs (dans une autre fenêtre ou sur un autre poste) depuis leur lecture ici ; rien n&apos;a été écrasé.</translation>
    </message>
    <message>
        <source>Unknown status %1.</source>
        <translation>Statut inconnu %1.</translation>
    </message>
</context>
<context>
    <name>dl::AssignDialog</name>
    <message>
        <source>Assign Images</source>
        <translation>Attribuer des images</translation>
    </message>
    <message>
        <source>Every image is labelled independently by K different dermatologists. New assignments go to whoever has the least work; nobody gets an image twice.</source>
        <translation>Chaque image est étiquetée indépendamment par K dermatologues différents. Les nouvelles attributions vont à celui qui a le moins de travail ; personne ne reçoit deux fois la même image.</translation>
    </message>
    <message>
        <source> dermatologists</source>
        <translation> dermatologues</translation>
    </message>
    <message>
        <source>&amp;Raters per image (K):</source>
        <translation>É&amp;valuateurs par image (K) :</translation>
    </message>
    <message>
        <source>A&amp;ll images</source>
        <translation>&amp;Toutes les images</translation>
    </message>
    <message>
        <source>Only images with &amp;fewer than K raters</source>
        <translation>Seulement les images avec &amp;moins de K évaluateurs</translation>
    </message>
    <message>
        <source>Scope:</source>
        <translation>Portée :</translation>
    </message>
    <message>
        <source>&amp;Dermatologists taking part (Space toggles):</source>
        <translation>&amp;Dermatologues participants (Space pour cocher) :</translation>
    </message>
    <message>
        <source>Dermatologist</source>
        <translation>Dermatologue</translation>
    </message>
    <message>
        <source>Assigned now</source>
        <translation>Attribuées actuellement</translation>
    </message>
    <message>
        <source>To add</source>
        <translation>À ajouter</translation>
    </message>
    <message>
        <source>After</source>
        <translation>Après</translation>
    </message>
    <message>
        <source>&amp;Assign</source>
        <translation>&amp;Attribuer</translation>
    </message>
    <message>
        <source>Choose at least one dermatologist.</source>
        <translation>Choisissez au moins un dermatologue.</translation>
    </message>
    <message>
        <source>Every image already has %1 raters.</source>
        <translation>Chaque image a déjà %1 évaluateurs.</translation>
    </message>
    <message>
        <source>Nothing to add to the %1 images in scope.</source>
        <translation>Rien à ajouter aux %1 images concernées.</translation>
    </message>
    <message>
        <source>%1 new assignments over %2 images in scope.</source>
        <translation>%1 nouvelles attributions sur %2 images concernées.</translation>
    </message>
    <message>
        <source>%1 images cannot reach %2 raters with the dermatologists chosen.</source>
        <translation>%1 images ne peuvent pas atteindre %2 évaluateurs avec les dermatologues choisis.</translation>
    </message>
</context>
<context>
    <name>dl::AssignmentService</name>
    <message>
        <source>Each image needs at least one rater.</source>
        <translation>Chaque image a besoin d&apos;au moins un évaluateur.</translation>
    </message>
    <message>
        <source>%1 raters per image were asked for, but there are only %2 active annotators.</source>
        <translation>%1 évaluateurs par image ont été demandés, mais il n&apos;y a que %2 annotateurs actifs.</translation>
    </message>
    <message>
        <source>Choose at least one active annotator to assign images to.</source>
        <translation>Choisissez au moins un annotateur actif à qui attribuer des images.</translation>
    </message>
    <message>
        <source>Only the work of a disabled rater, or of one who is no longer a dermatologist, is moved.</source>
        <translation>Seul le travail d&apos;un évaluateur désactivé, ou qui n&apos;est plus dermatologue, est déplacé.</translation>
    </message>
</context>
<context>
    <name>dl::BundleExporter</name>
    <message>
        <source>a mask layer cannot be read.</source>
        <translation>un calque de masque est illisible.</translation>
    </message>
    <message>
        <source>Image %1: %2</source>
        <translation>Image %1 : %2</translation>
    </message>
    <message>
        <source>a mask does not have the image&apos;s size.</source>
        <translation>un masque n&apos;a pas la taille de l&apos;image.</translation>
    </message>
    <message>
        <source>the masks of %1 differ in size.</source>
        <translation>les masques de %1 n&apos;ont pas la même taille.</translation>
    </message>
    <message>
        <source>No output path given.</source>
        <translation>Aucun chemin de sortie indiqué.</translation>
    </message>
    <message>
        <source>DermLabel label bundle</source>
        <translation>Paquet d&apos;étiquettes DermLabel</translation>
    </message>
    <message>
        <source>Export cancelled; nothing was written.</source>
        <translation>Exportation annulée ; rien n&apos;a été écrit.</translation>
    </message>
    <message>
        <source>The export could not be recorded in the audit log, so nothing was exported: %1</source>
        <translation>L&apos;exportation n&apos;a pas pu être consignée dans le journal d&apos;audit ; rien n&apos;a donc été exporté : %1</translation>
    </message>
</context>
<context>
    <name>dl::BundleVerifier</name>
    <message>
        <source>%1 is not a readable zip archive: %2</source>
        <translation>%1 n&apos;est pas une archive zip lisible : %2</translation>
    </message>
    <message>
        <source>%1 does not exist.</source>
        <translation>%1 n&apos;existe pas.</translation>
    </message>
    <message>
        <source>manifest.json cannot be read: %1</source>
        <translation>Impossible de lire manifest.json : %1</translation>
    </message>
    <message>
        <source>manifest.json is not a JSON object: %1</source>
        <translation>manifest.json n&apos;est pas un objet JSON : %1</translation>
    </message>
    <message>
        <source>manifest.json has an unknown format_version (this program reads 1 to %1).</source>
        <translation>manifest.json a un format_version inconnu (ce programme lit les versions 1 à %1).</translation>
    </message>
    <message>
        <source>manifest.json has no &quot;files&quot; list.</source>
        <translation>manifest.json n&apos;a pas de liste « files ».</translation>
    </message>
    <message>
        <source>manifest.json: files[%1] needs a path, a size and a sha256.</source>
        <translation>manifest.json : files[%1] doit avoir un path, un size et un sha256.</translation>
    </message>
    <message>
        <source>manifest.json: files[%1]: %2</source>
        <translation>manifest.json : files[%1] : %2</translation>
    </message>
    <message>
        <source>manifest.json lists %1 twice.</source>
        <translation>manifest.json mentionne %1 deux fois.</translation>
    </message>
    <message>
        <source>%1 is missing.</source>
        <translation>%1 est absent.</translation>
    </message>
    <message>
        <source>%1 cannot be read: %2</source>
        <translation>Impossible de lire %1 : %2</translation>
    </message>
    <message>
        <source>%1 has %2 bytes; the manifest says %3.</source>
        <translation>%1 fait %2 octets ; le manifeste indique %3.</translation>
    </message>
    <message>
        <source>%1 does not match its SHA-256 in the manifest.</source>
        <translation>%1 ne correspond pas à son SHA-256 dans le manifeste.</translation>
    </message>
    <message>
        <source>%1 is in the bundle but not in the manifest.</source>
        <translation>%1 est dans le paquet mais pas dans le manifeste.</translation>
    </message>
</context>
<context>
    <name>dl::BundleWriter</name>
    <message>
        <source>Invalid path in bundle &quot;%1&quot;: %2</source>
        <translation>Chemin non valide dans le paquet « %1 » : %2</translation>
    </message>
    <message>
        <source>empty</source>
        <translation>vide</translation>
    </message>
    <message>
        <source>absolute</source>
        <translation>absolu</translation>
    </message>
    <message>
        <source>contains a backslash, colon or control character</source>
        <translation>contient une barre oblique inverse, un deux-points ou un caractère de contrôle</translation>
    </message>
    <message>
        <source>empty, &quot;.&quot; or &quot;..&quot; component</source>
        <translation>composant vide, « . » ou « .. »</translation>
    </message>
    <message>
        <source>reserved for the manifest</source>
        <translation>réservé au manifeste</translation>
    </message>
    <message>
        <source>it is a symbolic link</source>
        <translation>c&apos;est un lien symbolique</translation>
    </message>
    <message>
        <source>it is neither a folder nor a file</source>
        <translation>ce n&apos;est ni un dossier ni un fichier</translation>
    </message>
    <message>
        <source>%1 is not a bundle written by DermLabel (%2). Nothing was replaced or deleted; choose a new path, an empty folder or a previous bundle.</source>
        <translation>%1 n&apos;est pas un paquet écrit par DermLabel (%2). Rien n&apos;a été remplacé ni supprimé ; choisissez un nouveau chemin, un dossier vide ou un paquet précédent.</translation>
    </message>
    <message>
        <source>A bundle is already being written to %1.</source>
        <translation>Un paquet est déjà en cours d&apos;écriture dans %1.</translation>
    </message>
    <message>
        <source>No output path given.</source>
        <translation>Aucun chemin de sortie indiqué.</translation>
    </message>
    <message>
        <source>%1 already exists; choose another path or allow overwriting.</source>
        <translation>%1 existe déjà ; choisissez un autre chemin ou autorisez l&apos;écrasement.</translation>
    </message>
    <message>
        <source>Cannot create the folder %1.</source>
        <translation>Impossible de créer le dossier %1.</translation>
    </message>
    <message>
        <source>Cannot create the temporary folder %1.</source>
        <translation>Impossible de créer le dossier temporaire %1.</translation>
    </message>
    <message>
        <source>Cannot find a free temporary name next to %1.</source>
        <translation>Impossible de trouver un nom temporaire libre à côté de %1.</translation>
    </message>
    <message>
        <source>No bundle is open.</source>
        <translation>Aucun paquet n&apos;est ouvert.</translation>
    </message>
    <message>
        <source>%1 was already added to the bundle.</source>
        <translation>%1 a déjà été ajouté au paquet.</translation>
    </message>
    <message>
        <source>%1 is already a folder in the bundle.</source>
        <translation>%1 est déjà un dossier du paquet.</translation>
    </message>
    <message>
        <source>%1 is already a file in the bundle.</source>
        <translation>%1 est déjà un fichier du paquet.</translation>
    </message>
    <message>
        <source>Cannot create the folder for %1.</source>
        <translation>Impossible de créer le dossier pour %1.</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>Impossible d&apos;écrire %1 : %2</translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>Impossible de lire %1 : %2</translation>
    </message>
    <message>
        <source>The manifest extras may not set &quot;files&quot;, &quot;format_version&quot; or &quot;generator&quot;.</source>
        <translation>Les compléments du manifeste ne peuvent pas définir « files », « format_version » ni « generator ».</translation>
    </message>
    <message>
        <source>Files are still being added to the bundle.</source>
        <translation>Des fichiers sont encore en cours d&apos;ajout au paquet.</translation>
    </message>
    <message>
        <source>Cannot create the archive %1: %2</source>
        <translation>Impossible de créer l&apos;archive %1 : %2</translation>
    </message>
    <message>
        <source>Cannot add %1 to the archive: %2</source>
        <translation>Impossible d&apos;ajouter %1 à l&apos;archive : %2</translation>
    </message>
    <message>
        <source>Cannot write the archive %1: %2</source>
        <translation>Impossible d&apos;écrire l&apos;archive %1 : %2</translation>
    </message>
    <message>
        <source>Cannot move the bundle to %1: %2</source>
        <translation>Impossible de déplacer le paquet vers %1 : %2</translation>
    </message>
    <message>
        <source>Cannot replace %1: %2</source>
        <translation>Impossible de remplacer %1 : %2</translation>
    </message>
    <message>
        <source>Cannot move the existing %1 aside: %2</source>
        <translation>Impossible de mettre de côté le %1 existant : %2</translation>
    </message>
</context>
<context>
    <name>dl::CaseContextBar</name>
    <message>
        <source>&lt;i&gt;This image belongs to no case.&lt;/i&gt;</source>
        <translation>&lt;i&gt;Cette image n&apos;appartient à aucun cas.&lt;/i&gt;</translation>
    </message>
    <message>
        <source>This image</source>
        <translation>Cette image</translation>
    </message>
    <message>
        <source>Another image of the same case</source>
        <translation>Une autre image du même cas</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>Âge</translation>
    </message>
    <message>
        <source>1 year</source>
        <translation>1 an</translation>
    </message>
    <message>
        <source>%1 years</source>
        <translation>%1 ans</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>Sexe</translation>
    </message>
    <message>
        <source>Body site</source>
        <translation>Localisation anatomique</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>Durée</translation>
    </message>
    <message>
        <source>Symptoms</source>
        <translation>Symptômes</translation>
    </message>
    <message>
        <source>&lt;i&gt;No case details.&lt;/i&gt;</source>
        <translation>&lt;i&gt;Aucun détail sur le cas.&lt;/i&gt;</translation>
    </message>
    <message>
        <source>1 region</source>
        <translation>1 région</translation>
    </message>
    <message>
        <source>%1 regions</source>
        <translation>%1 régions</translation>
    </message>
    <message>
        <source>&lt;b&gt;Face confirmed&lt;/b&gt; by QA (%1). Tick &lt;i&gt;Identifying: face&lt;/i&gt; and mark its region so it is covered on export.</source>
        <translation>&lt;b&gt;Visage confirmé&lt;/b&gt; par le contrôle qualité (%1). Cochez &lt;i&gt;Identifiant : visage&lt;/i&gt; et délimitez sa région pour qu&apos;elle soit masquée à l&apos;exportation.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Possible face&lt;/b&gt; found by the face check (%1). If a face shows, tick &lt;i&gt;Identifying: face&lt;/i&gt; and mark its region; QA confirms or dismisses the flag.</source>
        <translation>&lt;b&gt;Visage possible&lt;/b&gt; trouvé par la détection de visages (%1). Si un visage apparaît, cochez &lt;i&gt;Identifiant : visage&lt;/i&gt; et délimitez sa région ; le contrôle qualité confirme ou écarte le signalement.</translation>
    </message>
    <message>
        <source>The frontal-face check flags images for suitability review; an image with an open flag is held back from export.</source>
        <translation>La détection de visages de face signale les images à examiner pour leur adéquation ; une image dont le signalement est ouvert est retenue à l&apos;exportation.</translation>
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
        <translation>Référence (base d&apos;entraînement)</translation>
    </message>
</context>
<context>
    <name>dl::CocoReader</name>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>Impossible de lire %1 : %2</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1 : %2</translation>
    </message>
    <message>
        <source>Not valid JSON: %1 at offset %2.</source>
        <translation>JSON non valide : %1 à la position %2.</translation>
    </message>
    <message>
        <source>A COCO file must be a JSON object.</source>
        <translation>Un fichier COCO doit être un objet JSON.</translation>
    </message>
    <message>
        <source>The COCO file has no &quot;%1&quot; array.</source>
        <translation>Le fichier COCO n&apos;a pas de tableau « %1 ».</translation>
    </message>
    <message>
        <source>%1 has no integer &quot;id&quot;.</source>
        <translation>%1 n&apos;a pas d&apos;« id » entier.</translation>
    </message>
    <message>
        <source>%1 has no &quot;file_name&quot;.</source>
        <translation>%1 n&apos;a pas de « file_name ».</translation>
    </message>
    <message>
        <source>%1 needs a positive integer &quot;width&quot; and &quot;height&quot;.</source>
        <translation>%1 doit avoir des entiers positifs « width » et « height ».</translation>
    </message>
    <message>
        <source>%1: the image id %2 is used twice.</source>
        <translation>%1 : l&apos;identifiant d&apos;image %2 est utilisé deux fois.</translation>
    </message>
    <message>
        <source>%1: the file name %2 is used twice.</source>
        <translation>%1 : le nom de fichier %2 est utilisé deux fois.</translation>
    </message>
    <message>
        <source>%1 has no &quot;name&quot;.</source>
        <translation>%1 n&apos;a pas de « name ».</translation>
    </message>
    <message>
        <source>%1: the category id %2 is used twice.</source>
        <translation>%1 : l&apos;identifiant de catégorie %2 est utilisé deux fois.</translation>
    </message>
    <message>
        <source>%1: the category name &quot;%2&quot; is used twice.</source>
        <translation>%1 : le nom de catégorie « %2 » est utilisé deux fois.</translation>
    </message>
    <message>
        <source>%1 is not an object.</source>
        <translation>%1 n&apos;est pas un objet.</translation>
    </message>
    <message>
        <source>%1 has no integer &quot;image_id&quot;.</source>
        <translation>%1 n&apos;a pas d&apos;« image_id » entier.</translation>
    </message>
    <message>
        <source>%1 refers to the undeclared image_id %2.</source>
        <translation>%1 fait référence à l&apos;image_id non déclaré %2.</translation>
    </message>
    <message>
        <source>%1 has no integer &quot;category_id&quot;.</source>
        <translation>%1 n&apos;a pas de « category_id » entier.</translation>
    </message>
    <message>
        <source>%1 refers to the undeclared category_id %2.</source>
        <translation>%1 fait référence au category_id non déclaré %2.</translation>
    </message>
    <message>
        <source>%1 has no segmentation; skipped.</source>
        <translation>%1 n&apos;a pas de segmentation ; ignoré.</translation>
    </message>
    <message>
        <source>%1: segmentation polygon %2 needs an even number of at least 6 coordinates.</source>
        <translation>%1 : le polygone de segmentation %2 exige un nombre pair d&apos;au moins 6 coordonnées.</translation>
    </message>
    <message>
        <source>%1: segmentation polygon %2 has a coordinate that is not a number.</source>
        <translation>%1 : le polygone de segmentation %2 a une coordonnée qui n&apos;est pas un nombre.</translation>
    </message>
    <message>
        <source>%1: the segmentation polygons cannot be rasterised (coordinates out of range).</source>
        <translation>%1 : les polygones de segmentation ne peuvent pas être rastérisés (coordonnées hors limites).</translation>
    </message>
    <message>
        <source>%1: invalid RLE segmentation: %2</source>
        <translation>%1 : segmentation RLE non valide : %2</translation>
    </message>
    <message>
        <source>%1: the RLE size [%2, %3] differs from its image %4 (%5 x %6, size [%6, %5]).</source>
        <translation>%1 : la taille RLE [%2, %3] diffère de celle de son image %4 (%5 x %6, taille [%6, %5]).</translation>
    </message>
    <message>
        <source>%1: &quot;segmentation&quot; must be a polygon list or an RLE object.</source>
        <translation>%1 : « segmentation » doit être une liste de polygones ou un objet RLE.</translation>
    </message>
    <message>
        <source>%1 cannot be merged with the earlier &quot;%2&quot; region of %3.</source>
        <translation>%1 ne peut pas être fusionné avec la région « %2 » antérieure de %3.</translation>
    </message>
</context>
<context>
    <name>dl::CocoRle</name>
    <message>
        <source>Invalid RLE size %1 x %2.</source>
        <translation>Taille RLE non valide %1 x %2.</translation>
    </message>
    <message>
        <source>RLE string ends in the middle of a value (at character %1).</source>
        <translation>La chaîne RLE se termine au milieu d&apos;une valeur (au caractère %1).</translation>
    </message>
    <message>
        <source>Invalid character (code %1) at position %2 of the RLE string.</source>
        <translation>Caractère non valide (code %1) à la position %2 de la chaîne RLE.</translation>
    </message>
    <message>
        <source>RLE value at character %1 is too long.</source>
        <translation>La valeur RLE au caractère %1 est trop longue.</translation>
    </message>
    <message>
        <source>RLE count %1 (number %2) is out of range.</source>
        <translation>Le compte RLE %1 (numéro %2) est hors limites.</translation>
    </message>
    <message>
        <source>RLE &quot;size&quot; must be [height, width] with non-negative integers.</source>
        <translation>Le « size » RLE doit être [hauteur, largeur] avec des entiers non négatifs.</translation>
    </message>
    <message>
        <source>RLE &quot;counts&quot; string contains a non-ASCII character.</source>
        <translation>La chaîne « counts » RLE contient un caractère non ASCII.</translation>
    </message>
    <message>
        <source>RLE &quot;counts&quot; array holds a value that is not a count.</source>
        <translation>Le tableau « counts » RLE contient une valeur qui n&apos;est pas un compte.</translation>
    </message>
    <message>
        <source>RLE &quot;counts&quot; must be a string or an array of integers.</source>
        <translation>« counts » RLE doit être une chaîne ou un tableau d&apos;entiers.</translation>
    </message>
    <message>
        <source>RLE counts add up to %1 pixels, but a %2 x %3 mask has %4.</source>
        <translation>Les comptes RLE totalisent %1 pixels, mais un masque de %2 x %3 en a %4.</translation>
    </message>
</context>
<context>
    <name>dl::CocoWriter</name>
    <message>
        <source>A COCO category needs a name.</source>
        <translation>Une catégorie COCO doit avoir un nom.</translation>
    </message>
    <message>
        <source>The COCO category &quot;%1&quot; was added twice.</source>
        <translation>La catégorie COCO « %1 » a été ajoutée deux fois.</translation>
    </message>
    <message>
        <source>A COCO image needs a file name.</source>
        <translation>Une image COCO doit avoir un nom de fichier.</translation>
    </message>
    <message>
        <source>The image %1 was added twice.</source>
        <translation>L&apos;image %1 a été ajoutée deux fois.</translation>
    </message>
    <message>
        <source>The image %1 has the invalid size %2 x %3.</source>
        <translation>L&apos;image %1 a la taille non valide %2 x %3.</translation>
    </message>
    <message>
        <source>The image %1 has a mask of the unknown category &quot;%2&quot;.</source>
        <translation>L&apos;image %1 a un masque de la catégorie inconnue « %2 ».</translation>
    </message>
    <message>
        <source>The &quot;%1&quot; mask of %2 does not have the image&apos;s size.</source>
        <translation>Le masque « %1 » de %2 n&apos;a pas la taille de l&apos;image.</translation>
    </message>
    <message>
        <source>The &quot;%1&quot; mask of %2 is %3 x %4 (type %5), not %6 x %7 8-bit.</source>
        <translation>Le masque « %1 » de %2 fait %3 x %4 (type %5), et non %6 x %7 en 8 bits.</translation>
    </message>
</context>
<context>
    <name>dl::ConfusionHeatMap</name>
    <message>
        <source>These two raters have no image of this field in common.</source>
        <translation>Ces deux évaluateurs n&apos;ont aucune image de ce champ en commun.</translation>
    </message>
    <message>
        <source>%1 (columns)</source>
        <translation>%1 (colonnes)</translation>
    </message>
    <message>
        <source>%1 (rows)</source>
        <translation>%1 (lignes)</translation>
    </message>
    <message>
        <source>Outlined: both raters gave the same label. Darker: more images.</source>
        <translation>Encadré : les deux évaluateurs ont donné la même étiquette. Plus foncé : plus d&apos;images.</translation>
    </message>
</context>
<context>
    <name>dl::ConsensusCalculator</name>
    <message>
        <source>no rater answered</source>
        <translation>aucun évaluateur n&apos;a répondu</translation>
    </message>
    <message>
        <source>no two raters agree</source>
        <translation>aucun accord entre deux évaluateurs</translation>
    </message>
    <message>
        <source>tie: %1 votes each</source>
        <translation>égalité : %1 voix chacun</translation>
    </message>
    <message>
        <source>no quorum: %1 of %2 needed</source>
        <translation>pas de quorum : %1 sur %2 requis</translation>
    </message>
    <message>
        <source>no rater named a condition</source>
        <translation>aucun évaluateur n&apos;a nommé d&apos;affection</translation>
    </message>
    <message>
        <source>tie: %1 and %2 weigh the same</source>
        <translation>égalité : %1 et %2 ont le même poids</translation>
    </message>
    <message>
        <source>no quorum: %1 of %2 raters named a condition</source>
        <translation>pas de quorum : %1 évaluateurs sur %2 ont nommé une affection</translation>
    </message>
    <message numerus="yes">
        <source>waiting for %n more rater(s)</source>
        <translation>
            <numerusform>en attente de %n évaluateur supplémentaire</numerusform>
            <numerusform>en attente de %n évaluateurs supplémentaires</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>dl::ConsensusService</name>
    <message>
        <source>The quorum must be from 1 to 20 raters.</source>
        <translation>Le quorum doit être compris entre 1 et 20 évaluateurs.</translation>
    </message>
    <message>
        <source>Cancelled; the consensus was left as it was.</source>
        <translation>Annulé ; le consensus est resté inchangé.</translation>
    </message>
    <message>
        <source>%1 is not a field with a consensus.</source>
        <translation>%1 n&apos;est pas un champ soumis au consensus.</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a value of %2.</source>
        <translation>« %1 » n&apos;est pas une valeur de %2.</translation>
    </message>
    <message>
        <source>Give a reason for the decision.</source>
        <translation>Indiquez le motif de la décision.</translation>
    </message>
    <message>
        <source>No such image.</source>
        <translation>Image introuvable.</translation>
    </message>
</context>
<context>
    <name>dl::CsvReader</name>
    <message>
        <source>the file is empty</source>
        <translation>le fichier est vide</translation>
    </message>
    <message>
        <source>line %1: invalid UTF-8 (byte 0x%2); save the file as UTF-8</source>
        <translation>ligne %1 : UTF-8 non valide (octet 0x%2) ; enregistrez le fichier en UTF-8</translation>
    </message>
    <message>
        <source>line %1: a field of more than %2 MB; fields are limited to %2 MB</source>
        <translation>ligne %1 : un champ de plus de %2 Mo ; les champs sont limités à %2 Mo</translation>
    </message>
    <message>
        <source>line %1: a quoted field is not closed (missing &apos;&quot;&apos;)</source>
        <translation>ligne %1 : un champ entre guillemets n&apos;est pas fermé (&apos;&quot;&apos; manquant)</translation>
    </message>
    <message>
        <source>line %1: more than %2 fields, header has %3</source>
        <translation>ligne %1 : plus de %2 champs, l&apos;en-tête en a %3</translation>
    </message>
    <message>
        <source>line %1: the header has more than %2 columns; at most %2 are supported</source>
        <translation>ligne %1 : l&apos;en-tête a plus de %2 colonnes ; %2 au plus sont prises en charge</translation>
    </message>
    <message>
        <source>line %1: a row of more than %2 MB; rows are limited to %2 MB</source>
        <translation>ligne %1 : une ligne de plus de %2 Mo ; les lignes sont limitées à %2 Mo</translation>
    </message>
    <message>
        <source>line %1: the header has more than one empty column name</source>
        <translation>ligne %1 : l&apos;en-tête a plus d&apos;un nom de colonne vide</translation>
    </message>
    <message>
        <source>line %1: duplicate column name &quot;%2&quot; in the header</source>
        <translation>ligne %1 : nom de colonne « %2 » en double dans l&apos;en-tête</translation>
    </message>
    <message>
        <source>line %1: %2 fields, header has %3</source>
        <translation>ligne %1 : %2 champs, l&apos;en-tête en a %3</translation>
    </message>
    <message>
        <source>line %1: more than %2 million fields in all (rows x columns); split the file</source>
        <translation>ligne %1 : plus de %2 millions de champs au total (lignes x colonnes) ; scindez le fichier</translation>
    </message>
    <message>
        <source>no header row (the file holds only blank lines)</source>
        <translation>aucune ligne d&apos;en-tête (le fichier ne contient que des lignes vides)</translation>
    </message>
    <message>
        <source>%1: file not found</source>
        <translation>%1 : fichier introuvable</translation>
    </message>
    <message>
        <source>%1: is a folder, not a CSV file</source>
        <translation>%1 : c&apos;est un dossier, pas un fichier CSV</translation>
    </message>
    <message>
        <source>%1: cannot open: %2</source>
        <translation>%1 : ouverture impossible : %2</translation>
    </message>
    <message>
        <source>%1: cannot read: %2</source>
        <translation>%1 : lecture impossible : %2</translation>
    </message>
    <message>
        <source>%1: missing required column(s): %2</source>
        <translation>%1 : colonne(s) obligatoire(s) manquante(s) : %2</translation>
    </message>
</context>
<context>
    <name>dl::CsvWriter</name>
    <message>
        <source>%1: row %2 has %3 fields, header has %4</source>
        <translation>%1 : la ligne %2 a %3 champs, l&apos;en-tête en a %4</translation>
    </message>
    <message>
        <source>%1: cannot open for writing: %2</source>
        <translation>%1 : ouverture en écriture impossible : %2</translation>
    </message>
    <message>
        <source>%1: write failed: %2</source>
        <translation>%1 : échec de l&apos;écriture : %2</translation>
    </message>
    <message>
        <source>%1: cannot save: %2</source>
        <translation>%1 : enregistrement impossible : %2</translation>
    </message>
</context>
<context>
    <name>dl::DatasetPaths</name>
    <message>
        <source>The path points outside the dataset folder.</source>
        <translation>Le chemin pointe hors du dossier du jeu de données.</translation>
    </message>
    <message>
        <source>The file does not exist.</source>
        <translation>Le fichier n&apos;existe pas.</translation>
    </message>
    <message>
        <source>The path is not a file.</source>
        <translation>Le chemin ne désigne pas un fichier.</translation>
    </message>
</context>
<context>
    <name>dl::DemoDataset</name>
    <message>
        <source>Cannot encode the demo image %1.</source>
        <translation>Impossible d&apos;encoder l&apos;image de démonstration %1.</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>Impossible d&apos;écrire %1 : %2</translation>
    </message>
    <message>
        <source>The number of demo images must not be negative (%1).</source>
        <translation>Le nombre d&apos;images de démonstration ne doit pas être négatif (%1).</translation>
    </message>
    <message>
        <source>The demo image size %1 x %2 is too small (at least 16 x 16).</source>
        <translation>La taille d&apos;image de démonstration %1 x %2 est trop petite (au moins 16 x 16).</translation>
    </message>
    <message>
        <source>Cannot create the folder %1.</source>
        <translation>Impossible de créer le dossier %1.</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>annulé</translation>
    </message>
</context>
<context>
    <name>dl::DemoRatings</name>
    <message>
        <source>The taxonomy has no conditions.</source>
        <translation>La taxonomie ne contient aucune affection.</translation>
    </message>
</context>
<context>
    <name>dl::DiagnosisRow</name>
    <message>
        <source>Confidence</source>
        <translation>Confiance</translation>
    </message>
    <message>
        <source>Most likely condition…</source>
        <translation>Affection la plus probable…</translation>
    </message>
    <message>
        <source>Alternative condition…</source>
        <translation>Autre affection possible…</translation>
    </message>
    <message>
        <source>Diagnosis %1</source>
        <translation>Diagnostic %1</translation>
    </message>
    <message>
        <source>Remove this diagnosis</source>
        <translation>Supprimer ce diagnostic</translation>
    </message>
    <message>
        <source>Remove diagnosis %1</source>
        <translation>Supprimer le diagnostic %1</translation>
    </message>
    <message>
        <source>very unsure</source>
        <translation>très incertain</translation>
    </message>
    <message>
        <source>unsure</source>
        <translation>incertain</translation>
    </message>
    <message>
        <source>moderately sure</source>
        <translation>moyennement sûr</translation>
    </message>
    <message>
        <source>sure</source>
        <translation>sûr</translation>
    </message>
    <message>
        <source>very sure</source>
        <translation>très sûr</translation>
    </message>
    <message>
        <source>Confidence %1: %2 (key %1)</source>
        <translation>Confiance %1 : %2 (touche %1)</translation>
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
        <translation>concordant</translation>
    </message>
    <message>
        <source>pending</source>
        <translation>en attente</translation>
    </message>
    <message>
        <source>to adjudicate</source>
        <translation>à arbitrer</translation>
    </message>
    <message>
        <source>adjudicated</source>
        <translation>arbitré</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 sur %2</translation>
    </message>
    <message>
        <source>Share of the raters against the leading value</source>
        <translation>Part des évaluateurs en désaccord avec la valeur majoritaire</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>Image</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>Champ</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Statut</translation>
    </message>
    <message>
        <source>Leading votes</source>
        <translation>Voix majoritaires</translation>
    </message>
    <message>
        <source>Against</source>
        <translation>Contre</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>Pourquoi</translation>
    </message>
</context>
<context>
    <name>dl::ExportDialog</name>
    <message>
        <source>Export Label Bundle</source>
        <translation>Exporter un paquet d&apos;étiquettes</translation>
    </message>
    <message>
        <source>Bundle</source>
        <translation>Paquet</translation>
    </message>
    <message>
        <source>Folder or .zip file to write</source>
        <translation>Dossier ou fichier .zip à écrire</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Parcourir…</translation>
    </message>
    <message>
        <source>One &amp;zip archive instead of a folder</source>
        <translation>Une archive &amp;zip au lieu d&apos;un dossier</translation>
    </message>
    <message>
        <source>&amp;Replace a previous bundle there</source>
        <translation>&amp;Remplacer un paquet précédent à cet endroit</translation>
    </message>
    <message>
        <source>Only a bundle DermLabel wrote, or an empty folder, is replaced; anything else is refused and left as it is.</source>
        <translation>Seul un paquet écrit par DermLabel, ou un dossier vide, est remplacé ; tout le reste est refusé et laissé tel quel.</translation>
    </message>
    <message>
        <source>&amp;Consensus labels and masks</source>
        <translation>Étiquettes et masques de &amp;consensus</translation>
    </message>
    <message>
        <source>Every &amp;rater&apos;s labels and masks (pseudonymised)</source>
        <translation>Les étiquettes et masques de chaque é&amp;valuateur (pseudonymisés)</translation>
    </message>
    <message>
        <source>&amp;Output:</source>
        <translation>&amp;Sortie :</translation>
    </message>
    <message>
        <source>Labels:</source>
        <translation>Étiquettes :</translation>
    </message>
    <message>
        <source>Release gate</source>
        <translation>Contrôle de diffusion</translation>
    </message>
    <message>
        <source>Hold back records whose age group, sex, skin type, body site, country and condition occur fewer than k times in the bundle. 1 turns the check off.</source>
        <translation>Retenir les enregistrements dont la tranche d&apos;âge, le sexe, le type de peau, la localisation anatomique, le pays et l&apos;affection apparaissent moins de k fois dans le paquet. 1 désactive ce contrôle.</translation>
    </message>
    <message>
        <source>Solid fill</source>
        <translation>Remplissage uni</translation>
    </message>
    <message>
        <source>Strong blur</source>
        <translation>Flou fort</translation>
    </message>
    <message>
        <source>Include the datasets&apos; own case ids where they are public</source>
        <translation>Inclure les identifiants de cas propres aux jeux de données lorsqu&apos;ils sont publics</translation>
    </message>
    <message>
        <source>&amp;k-anonymity:</source>
        <translation>&amp;k-anonymat :</translation>
    </message>
    <message>
        <source>&amp;Minimum raters:</source>
        <translation>Nombre &amp;minimal d&apos;évaluateurs :</translation>
    </message>
    <message>
        <source>Identifying regions:</source>
        <translation>Régions identifiantes :</translation>
    </message>
    <message>
        <source>What will be exported</source>
        <translation>Ce qui sera exporté</translation>
    </message>
    <message>
        <source>Checking the store…</source>
        <translation>Vérification de la base…</translation>
    </message>
    <message>
        <source>Held back because</source>
        <translation>Retenu parce que</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>Images</translation>
    </message>
    <message>
        <source>&amp;Export</source>
        <translation>&amp;Exporter</translation>
    </message>
    <message>
        <source>Cancel Export</source>
        <translation>Annuler l&apos;exportation</translation>
    </message>
    <message>
        <source>Export to Zip Archive</source>
        <translation>Exporter vers une archive zip</translation>
    </message>
    <message>
        <source>Zip archives (*.zip)</source>
        <translation>Archives zip (*.zip)</translation>
    </message>
    <message>
        <source>Export to Folder</source>
        <translation>Exporter vers un dossier</translation>
    </message>
    <message>
        <source>The store could not be checked: %1</source>
        <translation>La base n&apos;a pas pu être vérifiée : %1</translation>
    </message>
    <message>
        <source>%1 of %2 labelled images will be exported; %3 are held back.</source>
        <translation>%1 des %2 images étiquetées seront exportées ; %3 sont retenues.</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>Exportation…</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>Annulation…</translation>
    </message>
    <message>
        <source>Wrote %1: %2 images, %3 masks, %4 COCO annotations; %5 images held back (see release_report.json).</source>
        <translation>%1 écrit : %2 images, %3 masques, %4 annotations COCO ; %5 images retenues (voir release_report.json).</translation>
    </message>
    <message>
        <source>Export cancelled; nothing was written.</source>
        <translation>Exportation annulée ; rien n&apos;a été écrit.</translation>
    </message>
    <message>
        <source>The export failed: %1</source>
        <translation>L&apos;exportation a échoué : %1</translation>
    </message>
    <message>
        <source>Export Running</source>
        <translation>Exportation en cours</translation>
    </message>
    <message>
        <source>Cancel the export and close?</source>
        <translation>Annuler l&apos;exportation et fermer ?</translation>
    </message>
</context>
<context>
    <name>dl::ExportSource</name>
    <message>
        <source>Image %1 is labelled but not in the store.</source>
        <translation>L&apos;image %1 est étiquetée mais absente de la base.</translation>
    </message>
    <message>
        <source>Case %1 of image %2 is not in the store.</source>
        <translation>Le cas %1 de l&apos;image %2 est absent de la base.</translation>
    </message>
</context>
<context>
    <name>dl::FaceCheck</name>
    <message>
        <source>Image %1: %2</source>
        <translation>Image %1 : %2</translation>
    </message>
    <message>
        <source>The image has no face flag.</source>
        <translation>L&apos;image n&apos;a pas de signalement de visage.</translation>
    </message>
</context>
<context>
    <name>dl::FaceDetector</name>
    <message>
        <source>The face detection cascade %1 was not found (looked in %2). Install the Debian package opencv-data or set DERMLABEL_FACE_CASCADE.</source>
        <translation>La cascade de détection de visages %1 est introuvable (recherchée dans %2). Installez le paquet Debian opencv-data ou définissez DERMLABEL_FACE_CASCADE.</translation>
    </message>
    <message>
        <source>The face detection cascade %1 does not exist.</source>
        <translation>La cascade de détection de visages %1 n&apos;existe pas.</translation>
    </message>
    <message>
        <source>%1 is not a readable OpenCV cascade file.</source>
        <translation>%1 n&apos;est pas un fichier de cascade OpenCV lisible.</translation>
    </message>
    <message>
        <source>Cannot look for faces in a null image.</source>
        <translation>Impossible de chercher des visages dans une image nulle.</translation>
    </message>
    <message>
        <source>No face detection cascade is loaded.</source>
        <translation>Aucune cascade de détection de visages n&apos;est chargée.</translation>
    </message>
    <message>
        <source>Face detection needs a non-empty 8-bit image with 1, 3 or 4 channels.</source>
        <translation>La détection de visages exige une image 8 bits non vide à 1, 3 ou 4 canaux.</translation>
    </message>
    <message>
        <source>Face detection failed: %1</source>
        <translation>Échec de la détection de visages : %1</translation>
    </message>
</context>
<context>
    <name>dl::FaceFlagModel</name>
    <message>
        <source>Open: held back from export</source>
        <translation>Ouvert : retenue à l&apos;exportation</translation>
    </message>
    <message>
        <source>Confirmed: a face shows</source>
        <translation>Confirmé : un visage apparaît</translation>
    </message>
    <message>
        <source>Dismissed: no face</source>
        <translation>Écarté : pas de visage</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>Image</translation>
    </message>
    <message>
        <source>Possible faces</source>
        <translation>Visages possibles</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>Examen</translation>
    </message>
</context>
<context>
    <name>dl::FolderScanner</name>
    <message>
        <source>The folder cannot be read.</source>
        <translation>Le dossier est illisible.</translation>
    </message>
    <message>
        <source>%1 images are not supported.</source>
        <translation>Les images %1 ne sont pas prises en charge.</translation>
    </message>
</context>
<context>
    <name>dl::GrabCutTool</name>
    <message>
        <source>Segmenting…</source>
        <translation>Segmentation…</translation>
    </message>
    <message>
        <source>Wait for the segmentation to finish.</source>
        <translation>Attendez la fin de la segmentation.</translation>
    </message>
    <message>
        <source>GrabCut session ended: the next strokes start a new one.</source>
        <translation>Session GrabCut terminée : les prochains tracés en commencent une nouvelle.</translation>
    </message>
    <message>
        <source>GrabCut session ended: the next box starts a new one.</source>
        <translation>Session GrabCut terminée : le prochain cadre en commence une nouvelle.</translation>
    </message>
    <message>
        <source>Now drag over the lesion: the segmentation starts from a foreground stroke.</source>
        <translation>Glissez maintenant sur la lésion : la segmentation part d&apos;un tracé de premier plan.</translation>
    </message>
    <message>
        <source>Leave some background outside the box.</source>
        <translation>Laissez un peu d&apos;arrière-plan hors du cadre.</translation>
    </message>
    <message>
        <source>Refining…</source>
        <translation>Affinage…</translation>
    </message>
    <message>
        <source>The segmentation found nothing.</source>
        <translation>La segmentation n&apos;a rien trouvé.</translation>
    </message>
    <message>
        <source>Refine with strokes: drag over what belongs, right drag (or Alt+drag) over what does not; Esc ends.</source>
        <translation>Affinez par des tracés : glissez sur ce qui en fait partie, glissez avec le bouton droit (ou Alt+glisser) sur ce qui n&apos;en fait pas partie ; Esc termine.</translation>
    </message>
</context>
<context>
    <name>dl::IccProfile</name>
    <message>
        <source>Malformed ICC profile: %1.</source>
        <translation>Profil ICC mal formé : %1.</translation>
    </message>
    <message>
        <source>%1 bytes, shorter than a header and a tag count</source>
        <translation>%1 octets, moins qu&apos;un en-tête et un nombre de balises</translation>
    </message>
    <message>
        <source>%1 bytes, more than the %2 accepted</source>
        <translation>%1 octets, plus que les %2 acceptés</translation>
    </message>
    <message>
        <source>the header gives the size %1, the data has %2 bytes</source>
        <translation>l&apos;en-tête indique la taille %1, les données font %2 octets</translation>
    </message>
    <message>
        <source>no &apos;acsp&apos; signature</source>
        <translation>pas de signature « acsp »</translation>
    </message>
    <message>
        <source>version %1 is not supported (2 and 4 are)</source>
        <translation>la version %1 n&apos;est pas prise en charge (2 et 4 le sont)</translation>
    </message>
    <message>
        <source>the profile class %1 cannot describe an image</source>
        <translation>la classe de profil %1 ne peut pas décrire une image</translation>
    </message>
    <message>
        <source>unknown rendering intent %1</source>
        <translation>intention de rendu inconnue %1</translation>
    </message>
    <message>
        <source>a tag table of %1 entries does not fit</source>
        <translation>une table de %1 balises ne tient pas</translation>
    </message>
    <message>
        <source>tag %1 appears twice</source>
        <translation>la balise %1 apparaît deux fois</translation>
    </message>
    <message>
        <source>tag %1 (offset %2, size %3) is outside the profile&apos;s %4 bytes of tag data</source>
        <translation>la balise %1 (position %2, taille %3) est hors des %4 octets de données de balises du profil</translation>
    </message>
    <message>
        <source>no tag that defines colours</source>
        <translation>aucune balise définissant des couleurs</translation>
    </message>
</context>
<context>
    <name>dl::ImageBlobRepository</name>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>Impossible de lire %1 : %2</translation>
    </message>
    <message>
        <source>Cannot upload the image file %1: %2</source>
        <translation>Impossible de téléverser le fichier image %1 : %2</translation>
    </message>
    <message>
        <source>the file became shorter</source>
        <translation>le fichier a raccourci</translation>
    </message>
    <message>
        <source>%1 changed while it was uploaded.</source>
        <translation>%1 a changé pendant son téléversement.</translation>
    </message>
    <message>
        <source>The file %1 is not the image %2 (its SHA-256 is %3): not uploaded.</source>
        <translation>Le fichier %1 n&apos;est pas l&apos;image %2 (son SHA-256 est %3) : non téléversé.</translation>
    </message>
    <message>
        <source>Cannot download the image file %1: %2</source>
        <translation>Impossible de télécharger le fichier image %1 : %2</translation>
    </message>
    <message>
        <source>The file of image %1 is missing from the store: it was never uploaded.</source>
        <translation>Le fichier de l&apos;image %1 est absent de la base : il n&apos;a jamais été téléversé.</translation>
    </message>
    <message>
        <source>The image file %1 is not in this store, or you may not read it (the image is not assigned to you).</source>
        <translation>Le fichier image %1 n&apos;est pas dans cette base, ou vous ne pouvez pas le lire (l&apos;image ne vous est pas attribuée).</translation>
    </message>
    <message>
        <source>Cannot create the folder %1.</source>
        <translation>Impossible de créer le dossier %1.</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>Impossible d&apos;écrire %1 : %2</translation>
    </message>
    <message>
        <source>The file of image %1 in the store is incomplete (part %2 of %3 is missing).</source>
        <translation>Le fichier de l&apos;image %1 dans la base est incomplet (la partie %2 sur %3 manque).</translation>
    </message>
    <message>
        <source>The file of image %1 in the store is damaged (longer than recorded).</source>
        <translation>Le fichier de l&apos;image %1 dans la base est endommagé (plus long que prévu).</translation>
    </message>
    <message>
        <source>The file of image %1 in the store is incomplete (%2 of %3 bytes).</source>
        <translation>Le fichier de l&apos;image %1 dans la base est incomplet (%2 octets sur %3).</translation>
    </message>
    <message>
        <source>The file of image %1 in the store is damaged (its SHA-256 does not match).</source>
        <translation>Le fichier de l&apos;image %1 dans la base est endommagé (son SHA-256 ne correspond pas).</translation>
    </message>
</context>
<context>
    <name>dl::ImageCache</name>
    <message>
        <source>Cannot decode image file &quot;%1&quot;.</source>
        <translation>Impossible de décoder le fichier image « %1 ».</translation>
    </message>
</context>
<context>
    <name>dl::ImageDecoder</name>
    <message>
        <source>The %1 decoder could not read the image: %2</source>
        <translation>Le décodeur %1 n&apos;a pas pu lire l&apos;image : %2</translation>
    </message>
    <message>
        <source>The decoded image (%1 x %2) does not match its header (%3 x %4)</source>
        <translation>L&apos;image décodée (%1 x %2) ne correspond pas à son en-tête (%3 x %4)</translation>
    </message>
    <message>
        <source>Not enough memory for the decoded image</source>
        <translation>Mémoire insuffisante pour l&apos;image décodée</translation>
    </message>
    <message>
        <source>Cannot open image file &quot;%1&quot;: %2</source>
        <translation>Impossible d&apos;ouvrir le fichier image « %1 » : %2</translation>
    </message>
    <message>
        <source>Cannot read image file &quot;%1&quot;: %2</source>
        <translation>Impossible de lire le fichier image « %1 » : %2</translation>
    </message>
    <message>
        <source>Cannot decode image file &quot;%1&quot;: %2</source>
        <translation>Impossible de décoder le fichier image « %1 » : %2</translation>
    </message>
</context>
<context>
    <name>dl::ImageFileCache</name>
    <message>
        <source>%1 is not an image file of the store.</source>
        <translation>%1 n&apos;est pas un fichier image de la base.</translation>
    </message>
</context>
<context>
    <name>dl::ImageFormat</name>
    <message>
        <source>Accepted</source>
        <translation>Accepté</translation>
    </message>
    <message>
        <source>Empty file</source>
        <translation>Fichier vide</translation>
    </message>
    <message>
        <source>Truncated file</source>
        <translation>Fichier tronqué</translation>
    </message>
    <message>
        <source>Not an image</source>
        <translation>Pas une image</translation>
    </message>
    <message>
        <source>Unsupported image format</source>
        <translation>Format d&apos;image non pris en charge</translation>
    </message>
    <message>
        <source>Corrupt image data</source>
        <translation>Données d&apos;image corrompues</translation>
    </message>
    <message>
        <source>Image too large</source>
        <translation>Image trop grande</translation>
    </message>
    <message>
        <source>Unreadable file</source>
        <translation>Fichier illisible</translation>
    </message>
</context>
<context>
    <name>dl::ImageIngest</name>
    <message>
        <source>The file cannot be read: %1</source>
        <translation>Le fichier est illisible : %1</translation>
    </message>
    <message>
        <source>The file is %1 MB, more than the limit of %2 MB.</source>
        <translation>Le fichier fait %1 Mo, plus que la limite de %2 Mo.</translation>
    </message>
    <message>
        <source>Cannot write to the store&apos;s image folder %1: %2</source>
        <translation>Impossible d&apos;écrire dans le dossier d&apos;images de la base %1 : %2</translation>
    </message>
</context>
<context>
    <name>dl::ImageListModel</name>
    <message>
        <source>to do</source>
        <translation>à faire</translation>
    </message>
    <message>
        <source>in progress</source>
        <translation>en cours</translation>
    </message>
    <message>
        <source>done</source>
        <translation>terminée</translation>
    </message>
    <message>
        <source>skipped</source>
        <translation>ignorée</translation>
    </message>
    <message>
        <source>flagged for QA</source>
        <translation>signalée au contrôle qualité</translation>
    </message>
    <message>
        <source>%1
%2 x %3 pixels, %4, %5 KB</source>
        <translation>%1
%2 x %3 pixels, %4, %5 Ko</translation>
    </message>
</context>
<context>
    <name>dl::ImageProbe</name>
    <message>
        <source>JPEG data ends inside its header</source>
        <translation>Les données JPEG se terminent dans l&apos;en-tête</translation>
    </message>
    <message>
        <source>JPEG header is damaged: no marker at byte %1</source>
        <translation>L&apos;en-tête JPEG est endommagé : pas de marqueur à l&apos;octet %1</translation>
    </message>
    <message>
        <source>JPEG header is damaged: unexpected marker 0x%1 at byte %2</source>
        <translation>L&apos;en-tête JPEG est endommagé : marqueur inattendu 0x%1 à l&apos;octet %2</translation>
    </message>
    <message>
        <source>JPEG file ends before any image data</source>
        <translation>Le fichier JPEG se termine avant toute donnée d&apos;image</translation>
    </message>
    <message>
        <source>JPEG header is damaged: bad segment length at byte %1</source>
        <translation>L&apos;en-tête JPEG est endommagé : longueur de segment erronée à l&apos;octet %1</translation>
    </message>
    <message>
        <source>JPEG file has more than one frame header</source>
        <translation>Le fichier JPEG a plus d&apos;un en-tête de trame</translation>
    </message>
    <message>
        <source>lossless or hierarchical JPEG (SOF%1) is not supported</source>
        <translation>Le JPEG sans perte ou hiérarchique (SOF%1) n&apos;est pas pris en charge</translation>
    </message>
    <message>
        <source>JPEG frame header is too short</source>
        <translation>L&apos;en-tête de trame JPEG est trop court</translation>
    </message>
    <message>
        <source>%1-bit JPEG is not supported</source>
        <translation>Le JPEG %1 bits n&apos;est pas pris en charge</translation>
    </message>
    <message>
        <source>JPEG frame header is damaged</source>
        <translation>L&apos;en-tête de trame JPEG est endommagé</translation>
    </message>
    <message>
        <source>JPEG with %1 colour components is not supported</source>
        <translation>Le JPEG à %1 composantes de couleur n&apos;est pas pris en charge</translation>
    </message>
    <message>
        <source>JPEG frame header has bad sampling factors</source>
        <translation>L&apos;en-tête de trame JPEG a des facteurs d&apos;échantillonnage erronés</translation>
    </message>
    <message>
        <source>JPEG image data starts before the frame header</source>
        <translation>Les données d&apos;image JPEG commencent avant l&apos;en-tête de trame</translation>
    </message>
    <message>
        <source>JPEG data ends before the end-of-image marker</source>
        <translation>Les données JPEG se terminent avant le marqueur de fin d&apos;image</translation>
    </message>
    <message>
        <source>PNG data ends inside its header</source>
        <translation>Les données PNG se terminent dans l&apos;en-tête</translation>
    </message>
    <message>
        <source>Apple-optimised PNG (CgBI) is not supported</source>
        <translation>Le PNG optimisé pour Apple (CgBI) n&apos;est pas pris en charge</translation>
    </message>
    <message>
        <source>PNG file does not start with an IHDR chunk</source>
        <translation>Le fichier PNG ne commence pas par un bloc IHDR</translation>
    </message>
    <message>
        <source>PNG header (IHDR) has a bad CRC</source>
        <translation>L&apos;en-tête PNG (IHDR) a un CRC erroné</translation>
    </message>
    <message>
        <source>PNG header has an invalid pixel format (colour type %1, depth %2)</source>
        <translation>L&apos;en-tête PNG a un format de pixel non valide (type de couleur %1, profondeur %2)</translation>
    </message>
    <message>
        <source>PNG data ends before the IEND chunk</source>
        <translation>Les données PNG se terminent avant le bloc IEND</translation>
    </message>
    <message>
        <source>WebP data ends inside its header</source>
        <translation>Les données WebP se terminent dans l&apos;en-tête</translation>
    </message>
    <message>
        <source>WebP header is damaged</source>
        <translation>L&apos;en-tête WebP est endommagé</translation>
    </message>
    <message>
        <source>WebP (VP8) frame header is damaged</source>
        <translation>L&apos;en-tête de trame WebP (VP8) est endommagé</translation>
    </message>
    <message>
        <source>WebP (VP8L) header is damaged</source>
        <translation>L&apos;en-tête WebP (VP8L) est endommagé</translation>
    </message>
    <message>
        <source>WebP file has no image chunk</source>
        <translation>Le fichier WebP n&apos;a pas de bloc d&apos;image</translation>
    </message>
    <message>
        <source>WebP data ends early: %1 of %2 bytes present</source>
        <translation>Les données WebP se terminent trop tôt : %1 octets présents sur %2</translation>
    </message>
    <message>
        <source>BMP data ends inside its header</source>
        <translation>Les données BMP se terminent dans l&apos;en-tête</translation>
    </message>
    <message>
        <source>BMP header has an unknown size (%1)</source>
        <translation>L&apos;en-tête BMP a une taille inconnue (%1)</translation>
    </message>
    <message>
        <source>BMP with embedded JPEG or PNG data is not supported</source>
        <translation>Le BMP contenant des données JPEG ou PNG n&apos;est pas pris en charge</translation>
    </message>
    <message>
        <source>BMP header has an invalid pixel format (%1 bits, compression %2)</source>
        <translation>L&apos;en-tête BMP a un format de pixel non valide (%1 bits, compression %2)</translation>
    </message>
    <message>
        <source>BMP header has a bad pixel data offset</source>
        <translation>L&apos;en-tête BMP a un décalage de données de pixels erroné</translation>
    </message>
    <message>
        <source>BMP data ends early: %1 of %2 bytes present</source>
        <translation>Les données BMP se terminent trop tôt : %1 octets présents sur %2</translation>
    </message>
    <message>
        <source>looks like a PDF document</source>
        <translation>ressemble à un document PDF</translation>
    </message>
    <message>
        <source>looks like a ZIP archive</source>
        <translation>ressemble à une archive ZIP</translation>
    </message>
    <message>
        <source>looks like a video or other ISO media file</source>
        <translation>ressemble à une vidéo ou à un autre fichier média ISO</translation>
    </message>
    <message>
        <source>looks like a RIFF file that is not WebP</source>
        <translation>ressemble à un fichier RIFF qui n&apos;est pas du WebP</translation>
    </message>
    <message>
        <source>looks like gzip-compressed data</source>
        <translation>ressemble à des données compressées gzip</translation>
    </message>
    <message>
        <source>looks like an SQLite database</source>
        <translation>ressemble à une base de données SQLite</translation>
    </message>
    <message>
        <source>looks like text</source>
        <translation>ressemble à du texte</translation>
    </message>
    <message>
        <source>The file is empty</source>
        <translation>Le fichier est vide</translation>
    </message>
    <message>
        <source>%1 files are not supported</source>
        <translation>Les fichiers %1 ne sont pas pris en charge</translation>
    </message>
    <message>
        <source>The data ends inside the image header</source>
        <translation>Les données se terminent dans l&apos;en-tête de l&apos;image</translation>
    </message>
    <message>
        <source>%1 images are not supported</source>
        <translation>Les images %1 ne sont pas prises en charge</translation>
    </message>
    <message>
        <source>The data is not a recognised image</source>
        <translation>Les données ne sont pas une image reconnue</translation>
    </message>
    <message>
        <source>The data is not a recognised image (%1)</source>
        <translation>Les données ne sont pas une image reconnue (%1)</translation>
    </message>
    <message>
        <source>%1 header gives an impossible image size (%2 x %3)</source>
        <translation>L&apos;en-tête %1 indique une taille d&apos;image impossible (%2 x %3)</translation>
    </message>
    <message>
        <source>%1 x %2 pixels exceeds the limit of %3 megapixels</source>
        <translation>%1 x %2 pixels dépasse la limite de %3 mégapixels</translation>
    </message>
    <message>
        <source>TIFF data ends inside its header</source>
        <translation>Les données TIFF se terminent dans l&apos;en-tête</translation>
    </message>
    <message>
        <source>TIFF header is damaged</source>
        <translation>L&apos;en-tête TIFF est endommagé</translation>
    </message>
    <message>
        <source>TIFF header has no valid image directory</source>
        <translation>L&apos;en-tête TIFF n&apos;a pas de répertoire d&apos;image valide</translation>
    </message>
    <message>
        <source>TIFF image directory is empty</source>
        <translation>Le répertoire d&apos;image TIFF est vide</translation>
    </message>
    <message>
        <source>DNG camera raw files are not supported</source>
        <translation>Les fichiers bruts d&apos;appareil photo DNG ne sont pas pris en charge</translation>
    </message>
    <message>
        <source>TIFF image directory has no image size</source>
        <translation>Le répertoire d&apos;image TIFF n&apos;a pas de taille d&apos;image</translation>
    </message>
    <message>
        <source>TIFF first image is a reduced-resolution preview (camera raw file?)</source>
        <translation>La première image TIFF est un aperçu à résolution réduite (fichier brut d&apos;appareil photo ?)</translation>
    </message>
    <message>
        <source>TIFF image directory has no image data</source>
        <translation>Le répertoire d&apos;image TIFF n&apos;a pas de données d&apos;image</translation>
    </message>
    <message>
        <source>TIFF image data offsets are damaged</source>
        <translation>Les positions des données d&apos;image TIFF sont endommagées</translation>
    </message>
    <message>
        <source>TIFF data ends early: %1 of %2 bytes present</source>
        <translation>Les données TIFF se terminent trop tôt : %1 octets présents sur %2</translation>
    </message>
</context>
<context>
    <name>dl::ImageService</name>
    <message>
        <source>There is no image %1 in the store.</source>
        <translation>Il n&apos;y a pas d&apos;image %1 dans la base.</translation>
    </message>
</context>
<context>
    <name>dl::ImageSide</name>
    <message>
        <source>Cannot create the folder %1.</source>
        <translation>Impossible de créer le dossier %1.</translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>Impossible de lire %1 : %2</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>Impossible d&apos;écrire %1 : %2</translation>
    </message>
    <message>
        <source>The image file %1 does not match its checksum; it was not copied (run dermlabel-cli check --verify-hashes on the source).</source>
        <translation>Le fichier image %1 ne correspond pas à sa somme de contrôle ; il n&apos;a pas été copié (exécutez dermlabel-cli check --verify-hashes sur la source).</translation>
    </message>
</context>
<context>
    <name>dl::ImportController</name>
    <message>
        <source>Reading %1…</source>
        <translation>Lecture de %1…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
    <message>
        <source>Importing images</source>
        <translation>Importation des images</translation>
    </message>
    <message>
        <source>Stopping after the current batch; what was imported is kept…</source>
        <translation>Arrêt après le lot en cours ; ce qui a été importé est conservé…</translation>
    </message>
    <message>
        <source>Checking and copying images: %1 of %2</source>
        <translation>Vérification et copie des images : %1 sur %2</translation>
    </message>
    <message>
        <source>Recording cases and labels: %1 of %2</source>
        <translation>Enregistrement des cas et des étiquettes : %1 sur %2</translation>
    </message>
</context>
<context>
    <name>dl::ImportReport</name>
    <message>
        <source>%1 new images, %2 duplicates, %3 already imported.</source>
        <translation>%1 nouvelles images, %2 doublons, %3 déjà importées.</translation>
    </message>
    <message>
        <source>%1 new cases, %2 already known; %3 new reference labels.</source>
        <translation>%1 nouveaux cas, %2 déjà connus ; %3 nouvelles étiquettes de référence.</translation>
    </message>
    <message>
        <source>%1 images may show a face: flagged for suitability review.</source>
        <translation>%1 images peuvent montrer un visage : signalées pour examen d&apos;adéquation.</translation>
    </message>
    <message>
        <source>%1 files rejected.</source>
        <translation>%1 fichiers refusés.</translation>
    </message>
    <message>
        <source>%1 referenced files missing.</source>
        <translation>%1 fichiers référencés manquants.</translation>
    </message>
    <message>
        <source>An interrupted import of this source was resumed.</source>
        <translation>Une importation interrompue de cette source a été reprise.</translation>
    </message>
    <message>
        <source>Cancelled: what was read so far is kept; run the same import again to continue.</source>
        <translation>Annulé : ce qui a été lu jusqu&apos;ici est conservé ; relancez la même importation pour continuer.</translation>
    </message>
</context>
<context>
    <name>dl::ImportRun</name>
    <message>
        <source>The store could not be updated: %1</source>
        <translation>La base n&apos;a pas pu être mise à jour : %1</translation>
    </message>
    <message>
        <source>The face check did not run: %1</source>
        <translation>La détection de visages n&apos;a pas été exécutée : %1</translation>
    </message>
    <message>
        <source>%1 cases have no importable image and were not added.</source>
        <translation>%1 cas n&apos;ont aucune image importable et n&apos;ont pas été ajoutés.</translation>
    </message>
    <message>
        <source>The end of the import could not be recorded: %1</source>
        <translation>La fin de l&apos;importation n&apos;a pas pu être enregistrée : %1</translation>
    </message>
</context>
<context>
    <name>dl::ImportService</name>
    <message>
        <source>%1 is not a folder.</source>
        <translation>%1 n&apos;est pas un dossier.</translation>
    </message>
    <message>
        <source>The folder %1 does not exist.</source>
        <translation>Le dossier %1 n&apos;existe pas.</translation>
    </message>
</context>
<context>
    <name>dl::InterchangeImporter</name>
    <message>
        <source>Name the rater the labels belong to.</source>
        <translation>Nommez l&apos;évaluateur auquel appartiennent les étiquettes.</translation>
    </message>
    <message>
        <source>%1 has the role %2. Imported labels must belong to a dermatologist (annotator): QA leads and administrators do not label images, and agreement statistics count dermatologists only. Choose another name.</source>
        <translation>%1 a le rôle %2. Les étiquettes importées doivent appartenir à un dermatologue (annotateur) : les responsables qualité et les administrateurs n&apos;étiquettent pas d&apos;images, et les statistiques de concordance ne comptent que les dermatologues. Choisissez un autre nom.</translation>
    </message>
    <message>
        <source>Cannot read the image %1: %2</source>
        <translation>Impossible de lire l&apos;image %1 : %2</translation>
    </message>
    <message>
        <source>The image %1 is not in the store by content, and %2 store images were imported from files named %3: cannot tell which one is meant.</source>
        <translation>L&apos;image %1 n&apos;est pas dans la base par son contenu, et %2 images de la base ont été importées depuis des fichiers nommés %3 : impossible de savoir laquelle est visée.</translation>
    </message>
    <message>
        <source>The image %1 is not in the store: import the images first with import --folder.</source>
        <translation>L&apos;image %1 n&apos;est pas dans la base : importez d&apos;abord les images avec import --folder.</translation>
    </message>
    <message>
        <source>The image file %1 does not exist and no store image was imported from a file of that name.</source>
        <translation>Le fichier image %1 n&apos;existe pas et aucune image de la base n&apos;a été importée depuis un fichier de ce nom.</translation>
    </message>
    <message>
        <source>%1 refers to the same store image as %2, which was imported first; skipped.</source>
        <translation>%1 désigne la même image de la base que %2, importée en premier ; ignoré.</translation>
    </message>
    <message>
        <source>The store image %1 vanished.</source>
        <translation>L&apos;image %1 de la base a disparu.</translation>
    </message>
    <message>
        <source>The file is for an image of %1 x %2, but the store image %3 is displayed %4 x %5; skipped.</source>
        <translation>Le fichier concerne une image de %1 x %2, mais l&apos;image %3 de la base est affichée en %4 x %5 ; ignoré.</translation>
    </message>
    <message>
        <source>The label &quot;%1&quot; is neither a condition of the taxonomy nor identifying:&lt;kind&gt; (%2); its region was skipped.</source>
        <translation>L&apos;étiquette « %1 » n&apos;est ni une affection de la taxonomie ni identifying:&lt;kind&gt; (%2) ; sa région a été ignorée.</translation>
    </message>
    <message>
        <source>The region labelled &quot;%1&quot; has no pixel inside the image; skipped.</source>
        <translation>La région étiquetée « %1 » n&apos;a aucun pixel dans l&apos;image ; ignorée.</translation>
    </message>
    <message>
        <source>No region with a known label: nothing to import.</source>
        <translation>Aucune région avec une étiquette connue : rien à importer.</translation>
    </message>
    <message>
        <source>Nothing was written for this image: %1</source>
        <translation>Rien n&apos;a été écrit pour cette image : %1</translation>
    </message>
    <message>
        <source>%1 already answered &apos;cannot determine&apos; for this image: the region of %2 was skipped.</source>
        <translation>%1 a déjà répondu « impossible à déterminer » pour cette image : la région de %2 a été ignorée.</translation>
    </message>
    <message>
        <source>At most %1 potential diagnoses: the region of %2 (one of the smallest) was skipped.</source>
        <translation>Au plus %1 diagnostics possibles : la région de %2 (l&apos;une des plus petites) a été ignorée.</translation>
    </message>
    <message>
        <source>The labels of %1 were changed by another session during the import; import again.</source>
        <translation>Les étiquettes de %1 ont été modifiées par une autre session pendant l&apos;importation ; importez de nouveau.</translation>
    </message>
    <message>
        <source>%1 is not a folder: give the folder that holds the LabelMe JSON files.</source>
        <translation>%1 n&apos;est pas un dossier : indiquez le dossier qui contient les fichiers JSON LabelMe.</translation>
    </message>
    <message>
        <source>There is no folder %1.</source>
        <translation>Il n&apos;y a pas de dossier %1.</translation>
    </message>
    <message>
        <source>There are no LabelMe files (*.json) under %1.</source>
        <translation>Il n&apos;y a aucun fichier LabelMe (*.json) sous %1.</translation>
    </message>
    <message>
        <source>Cannot read the file: %1</source>
        <translation>Impossible de lire le fichier : %1</translation>
    </message>
    <message>
        <source>Not a LabelMe file: %1</source>
        <translation>Ce n&apos;est pas un fichier LabelMe : %1</translation>
    </message>
    <message>
        <source>There is no COCO file %1.</source>
        <translation>Il n&apos;y a pas de fichier COCO %1.</translation>
    </message>
    <message>
        <source>Give the folder the COCO file&apos;s images are in.</source>
        <translation>Indiquez le dossier où se trouvent les images du fichier COCO.</translation>
    </message>
    <message>
        <source>There is no folder %1 for the COCO images.</source>
        <translation>Il n&apos;y a pas de dossier %1 pour les images COCO.</translation>
    </message>
    <message>
        <source>Cannot import %1: %2</source>
        <translation>Impossible d&apos;importer %1 : %2</translation>
    </message>
</context>
<context>
    <name>dl::InterchangeReport</name>
    <message>
        <source>Read %1 COCO image entries</source>
        <translation>%1 entrées d&apos;image COCO lues</translation>
    </message>
    <message>
        <source>Read %1 LabelMe files</source>
        <translation>%1 fichiers LabelMe lus</translation>
    </message>
    <message>
        <source>: %1 images matched in the store (%2 by file name), %3 updated, %4 already up to date; %5 annotations and %6 masks written for %7; %8 skipped, %9 warnings.</source>
        <translation> : %1 images retrouvées dans la base (%2 par nom de fichier), %3 mises à jour, %4 déjà à jour ; %5 annotations et %6 masques écrits pour %7 ; %8 ignorées, %9 avertissements.</translation>
    </message>
    <message>
        <source>Created the dermatologist account %1, disabled: it cannot sign in until an administrator enables it and sets a password (workstation: Users).</source>
        <translation>Compte de dermatologue %1 créé, désactivé : il ne peut pas se connecter tant qu&apos;un administrateur ne l&apos;a pas activé et ne lui a pas donné de mot de passe (poste de travail : Utilisateurs).</translation>
    </message>
    <message>
        <source>Cancelled: the images done so far are stored; run the same import again to finish.</source>
        <translation>Annulé : les images déjà traitées sont enregistrées ; relancez la même importation pour terminer.</translation>
    </message>
</context>
<context>
    <name>dl::JpegValidator</name>
    <message>
        <source>JPEG file has more than one frame header</source>
        <translation>Le fichier JPEG a plus d&apos;un en-tête de trame</translation>
    </message>
    <message>
        <source>lossless or hierarchical JPEG is not supported</source>
        <translation>Le JPEG sans perte ou hiérarchique n&apos;est pas pris en charge</translation>
    </message>
    <message>
        <source>JPEG frame header is too short</source>
        <translation>L&apos;en-tête de trame JPEG est trop court</translation>
    </message>
    <message>
        <source>%1-bit JPEG is not supported</source>
        <translation>Le JPEG %1 bits n&apos;est pas pris en charge</translation>
    </message>
    <message>
        <source>JPEG frame header gives an impossible image size (%1 x %2)</source>
        <translation>L&apos;en-tête de trame JPEG indique une taille d&apos;image impossible (%1 x %2)</translation>
    </message>
    <message>
        <source>JPEG frame header is damaged</source>
        <translation>L&apos;en-tête de trame JPEG est endommagé</translation>
    </message>
    <message>
        <source>JPEG image is too large to check</source>
        <translation>L&apos;image JPEG est trop grande pour être vérifiée</translation>
    </message>
    <message>
        <source>JPEG frame header has bad sampling factors</source>
        <translation>L&apos;en-tête de trame JPEG a des facteurs d&apos;échantillonnage erronés</translation>
    </message>
    <message>
        <source>JPEG Huffman table is damaged</source>
        <translation>La table de Huffman JPEG est endommagée</translation>
    </message>
    <message>
        <source>JPEG quantisation table is damaged</source>
        <translation>La table de quantification JPEG est endommagée</translation>
    </message>
    <message>
        <source>JPEG image data is damaged: %1 unexpected bytes before byte %2</source>
        <translation>Les données d&apos;image JPEG sont endommagées : %1 octets inattendus avant l&apos;octet %2</translation>
    </message>
    <message>
        <source>JPEG data ends inside the image data (scan %1, %2 of %3 blocks)</source>
        <translation>Les données JPEG se terminent dans les données d&apos;image (balayage %1, %2 blocs sur %3)</translation>
    </message>
    <message>
        <source>JPEG image data ends early (scan %1, %2 of %3 blocks)</source>
        <translation>Les données d&apos;image JPEG se terminent trop tôt (balayage %1, %2 blocs sur %3)</translation>
    </message>
    <message>
        <source>JPEG image data is damaged: unexpected marker 0x%1 at byte %2 (scan %3)</source>
        <translation>Les données d&apos;image JPEG sont endommagées : marqueur inattendu 0x%1 à l&apos;octet %2 (balayage %3)</translation>
    </message>
    <message>
        <source>JPEG image data starts before the frame header</source>
        <translation>Les données d&apos;image JPEG commencent avant l&apos;en-tête de trame</translation>
    </message>
    <message>
        <source>JPEG scan header is damaged</source>
        <translation>L&apos;en-tête de balayage JPEG est endommagé</translation>
    </message>
    <message>
        <source>JPEG scan header names an unknown component</source>
        <translation>L&apos;en-tête de balayage JPEG désigne une composante inconnue</translation>
    </message>
    <message>
        <source>JPEG progressive scan parameters are invalid</source>
        <translation>Les paramètres de balayage progressif JPEG ne sont pas valides</translation>
    </message>
    <message>
        <source>JPEG scan uses an undefined quantisation table</source>
        <translation>Le balayage JPEG utilise une table de quantification non définie</translation>
    </message>
    <message>
        <source>JPEG image data is damaged: restart marker out of sequence at byte %1</source>
        <translation>Les données d&apos;image JPEG sont endommagées : marqueur de redémarrage hors séquence à l&apos;octet %1</translation>
    </message>
    <message>
        <source>invalid Huffman code</source>
        <translation>code de Huffman non valide</translation>
    </message>
    <message>
        <source>impossible coefficient</source>
        <translation>coefficient impossible</translation>
    </message>
    <message>
        <source>impossible DC value</source>
        <translation>valeur DC impossible</translation>
    </message>
    <message>
        <source>JPEG image data is damaged: %1 near byte %2 (scan %3)</source>
        <translation>Les données d&apos;image JPEG sont endommagées : %1 près de l&apos;octet %2 (balayage %3)</translation>
    </message>
    <message>
        <source>The data is not a JPEG image</source>
        <translation>Les données ne sont pas une image JPEG</translation>
    </message>
    <message>
        <source>JPEG data ends before the end-of-image marker</source>
        <translation>Les données JPEG se terminent avant le marqueur de fin d&apos;image</translation>
    </message>
    <message>
        <source>JPEG data ends inside its header</source>
        <translation>Les données JPEG se terminent dans l&apos;en-tête</translation>
    </message>
    <message>
        <source>JPEG file ends before any image data</source>
        <translation>Le fichier JPEG se termine avant toute donnée d&apos;image</translation>
    </message>
    <message>
        <source>JPEG data is damaged: unexpected marker 0x%1 at byte %2</source>
        <translation>Les données JPEG sont endommagées : marqueur inattendu 0x%1 à l&apos;octet %2</translation>
    </message>
    <message>
        <source>JPEG data is damaged: bad segment length at byte %1</source>
        <translation>Les données JPEG sont endommagées : longueur de segment erronée à l&apos;octet %1</translation>
    </message>
    <message>
        <source>JPEG data ends inside a marker segment</source>
        <translation>Les données JPEG se terminent dans un segment de marqueur</translation>
    </message>
    <message>
        <source>JPEG restart interval segment is damaged</source>
        <translation>Le segment d&apos;intervalle de redémarrage JPEG est endommagé</translation>
    </message>
</context>
<context>
    <name>dl::LabelConflictPanel</name>
    <message>
        <source>&lt;b&gt;Not saved: these labels were changed elsewhere&lt;/b&gt; (in another window or on another workstation) since they were opened here. Nothing was overwritten.</source>
        <translation>&lt;b&gt;Non enregistré : ces étiquettes ont été modifiées ailleurs&lt;/b&gt; (dans une autre fenêtre ou sur un autre poste) depuis leur ouverture ici. Rien n&apos;a été écrasé.</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>Champ</translation>
    </message>
    <message>
        <source>Stored now</source>
        <translation>Enregistré actuellement</translation>
    </message>
    <message>
        <source>Yours (not saved)</source>
        <translation>Les vôtres (non enregistrées)</translation>
    </message>
    <message>
        <source>&amp;Keep stored labels</source>
        <translation>&amp;Garder les étiquettes enregistrées</translation>
    </message>
    <message>
        <source>Your edits are replaced by the stored labels (Undo brings them back).</source>
        <translation>Vos modifications sont remplacées par les étiquettes enregistrées (Annuler les rétablit).</translation>
    </message>
    <message>
        <source>&amp;Overwrite with mine</source>
        <translation>É&amp;craser avec les miennes</translation>
    </message>
    <message>
        <source>Your labels are saved over the stored ones.</source>
        <translation>Vos étiquettes sont enregistrées à la place de celles de la base.</translation>
    </message>
    <message>
        <source>Cannot determine</source>
        <translation>Impossible à déterminer</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Note</translation>
    </message>
    <message>
        <source>Confidence, rank %1</source>
        <translation>Confiance, rang %1</translation>
    </message>
    <message>
        <source>Not answered</source>
        <translation>Sans réponse</translation>
    </message>
    <message>
        <source>Region: %1</source>
        <translation>Région : %1</translation>
    </message>
    <message>
        <source>Drawn elsewhere</source>
        <translation>Dessiné ailleurs</translation>
    </message>
    <message>
        <source>Your drawing (not saved)</source>
        <translation>Votre dessin (non enregistré)</translation>
    </message>
</context>
<context>
    <name>dl::LabelFields</name>
    <message>
        <source>Gradable</source>
        <translation>Évaluable</translation>
    </message>
    <message>
        <source>Reason not gradable</source>
        <translation>Motif de non-évaluabilité</translation>
    </message>
    <message>
        <source>Visible skin condition</source>
        <translation>Affection cutanée visible</translation>
    </message>
    <message>
        <source>Sensitive content</source>
        <translation>Contenu sensible</translation>
    </message>
    <message>
        <source>Diagnosis, rank 1 (top-1)</source>
        <translation>Diagnostic, rang 1 (top-1)</translation>
    </message>
    <message>
        <source>Diagnosis, rank 2</source>
        <translation>Diagnostic, rang 2</translation>
    </message>
    <message>
        <source>Diagnosis, rank 3</source>
        <translation>Diagnostic, rang 3</translation>
    </message>
    <message>
        <source>Diagnosis (weighted)</source>
        <translation>Diagnostic (pondéré)</translation>
    </message>
    <message>
        <source>Fitzpatrick type</source>
        <translation>Phototype de Fitzpatrick</translation>
    </message>
    <message>
        <source>Fitzpatrick gradable</source>
        <translation>Fitzpatrick évaluable</translation>
    </message>
    <message>
        <source>Monk skin tone</source>
        <translation>Teinte de peau de Monk</translation>
    </message>
    <message>
        <source>Monk tone gradable</source>
        <translation>Teinte de Monk évaluable</translation>
    </message>
    <message>
        <source>Identifying: %1</source>
        <extracomment>%1 is a kind of identifying content as the label form names it, with a lower-case initial.</extracomment>
        <translation>Identifiant : %1</translation>
    </message>
</context>
<context>
    <name>dl::LabelForm</name>
    <message>
        <source>&amp;Quality</source>
        <translation>&amp;Qualité</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>Oui</translation>
    </message>
    <message>
        <source>Gradable for a skin condition (G)</source>
        <translation>Évaluable pour une affection cutanée (G)</translation>
    </message>
    <message>
        <source>No</source>
        <translation>Non</translation>
    </message>
    <message>
        <source>Not gradable (Shift+G)</source>
        <translation>Non évaluable (Shift+G)</translation>
    </message>
    <message>
        <source>Gradable</source>
        <translation>Évaluable</translation>
    </message>
    <message>
        <source>Gradable: yes</source>
        <translation>Évaluable : oui</translation>
    </message>
    <message>
        <source>Gradable: no</source>
        <translation>Évaluable : non</translation>
    </message>
    <message>
        <source>Choose a reason…</source>
        <translation>Choisissez un motif…</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Motif</translation>
    </message>
    <message>
        <source>Not gradable because: %1</source>
        <translation>Non évaluable parce que : %1</translation>
    </message>
    <message>
        <source>S&amp;uitability</source>
        <translation>&amp;Adéquation</translation>
    </message>
    <message>
        <source>Shows a visible skin condition (V)</source>
        <translation>Montre une affection cutanée visible (V)</translation>
    </message>
    <message>
        <source>Shows no visible skin condition (N)</source>
        <translation>Ne montre aucune affection cutanée visible (N)</translation>
    </message>
    <message>
        <source>Unsure</source>
        <translation>Incertain</translation>
    </message>
    <message>
        <source>Unsure whether a skin condition is visible (U)</source>
        <translation>Incertain qu&apos;une affection cutanée soit visible (U)</translation>
    </message>
    <message>
        <source>Visible skin condition</source>
        <translation>Affection cutanée visible</translation>
    </message>
    <message>
        <source>Visible skin condition: %1</source>
        <translation>Affection cutanée visible : %1</translation>
    </message>
    <message>
        <source>Sensitive content (S toggles)</source>
        <translation>Contenu sensible (S bascule)</translation>
    </message>
    <message>
        <source>No sensitive content (S toggles)</source>
        <translation>Pas de contenu sensible (S bascule)</translation>
    </message>
    <message>
        <source>Sensitive content</source>
        <translation>Contenu sensible</translation>
    </message>
    <message>
        <source>Sensitive content: yes</source>
        <translation>Contenu sensible : oui</translation>
    </message>
    <message>
        <source>Sensitive content: no</source>
        <translation>Contenu sensible : non</translation>
    </message>
    <message>
        <source>Identifying content</source>
        <translation>Contenu identifiant</translation>
    </message>
    <message>
        <source>Identifying content: %1</source>
        <translation>Contenu identifiant : %1</translation>
    </message>
    <message>
        <source>No identifying content: %1</source>
        <translation>Pas de contenu identifiant : %1</translation>
    </message>
    <message>
        <source>Potential &amp;diagnoses</source>
        <translation>&amp;Diagnostics possibles</translation>
    </message>
    <message>
        <source>Cannot determine</source>
        <translation>Impossible à déterminer</translation>
    </message>
    <message>
        <source>No diagnosis can be given from this image (C)</source>
        <translation>Aucun diagnostic ne peut être posé à partir de cette image (C)</translation>
    </message>
    <message>
        <source>Diagnosis: cannot determine</source>
        <translation>Diagnostic : impossible à déterminer</translation>
    </message>
    <message>
        <source>Diagnosis: can be determined</source>
        <translation>Diagnostic : peut être déterminé</translation>
    </message>
    <message>
        <source>Skin &amp;type</source>
        <translation>&amp;Type de peau</translation>
    </message>
    <message>
        <source>Fitzpatrick</source>
        <translation>Fitzpatrick</translation>
    </message>
    <message>
        <source>Fitzpatrick type %1 (F then %2)</source>
        <translation>Phototype de Fitzpatrick %1 (F puis %2)</translation>
    </message>
    <message>
        <source>Not gradable</source>
        <translation>Non évaluable</translation>
    </message>
    <message>
        <source>Fitzpatrick type not gradable (F then N)</source>
        <translation>Phototype de Fitzpatrick non évaluable (F puis N)</translation>
    </message>
    <message>
        <source>Fitzpatrick type: %1</source>
        <translation>Phototype de Fitzpatrick : %1</translation>
    </message>
    <message>
        <source>Monk skin tone</source>
        <translation>Teinte de peau de Monk</translation>
    </message>
    <message>
        <source>Monk skin tone: not gradable</source>
        <translation>Teinte de peau de Monk : non évaluable</translation>
    </message>
    <message>
        <source>Monk skin tone: %1</source>
        <translation>Teinte de peau de Monk : %1</translation>
    </message>
    <message>
        <source>N&amp;ote</source>
        <translation>N&amp;ote</translation>
    </message>
    <message>
        <source>Anything a reviewer should know about this image</source>
        <translation>Tout ce qu&apos;un relecteur doit savoir sur cette image</translation>
    </message>
    <message>
        <source>Edit note</source>
        <translation>Modifier la note</translation>
    </message>
    <message>
        <source>Diagnosis %1: %2</source>
        <translation>Diagnostic %1 : %2</translation>
    </message>
    <message>
        <source>Diagnosis %1 confidence: %2</source>
        <translation>Confiance du diagnostic %1 : %2</translation>
    </message>
    <message>
        <source>Remove diagnosis %1: %2</source>
        <translation>Supprimer le diagnostic %1 : %2</translation>
    </message>
    <message>
        <source>Complete</source>
        <translation>Terminé</translation>
    </message>
    <message>
        <source>Not started: 6 questions, gradability first</source>
        <translation>Pas commencé : 6 questions, l&apos;évaluabilité d&apos;abord</translation>
    </message>
    <message>
        <source>1 question left</source>
        <translation>1 question restante</translation>
    </message>
    <message>
        <source>%1 questions left</source>
        <translation>%1 questions restantes</translation>
    </message>
    <message>
        <source>  ·  Fitzpatrick: press 1-6 or N</source>
        <translation>  ·  Fitzpatrick : appuyez sur 1-6 ou N</translation>
    </message>
    <message>
        <source>  ·  Monk tone: press 1-9, 0 (10) or N</source>
        <translation>  ·  Teinte de Monk : appuyez sur 1-9, 0 (10) ou N</translation>
    </message>
    <message>
        <source>  ·  read only</source>
        <translation>  ·  lecture seule</translation>
    </message>
    <message>
        <source>Visible skin condition: yes</source>
        <translation>Affection cutanée visible : oui</translation>
    </message>
    <message>
        <source>Visible skin condition: no</source>
        <translation>Affection cutanée visible : non</translation>
    </message>
    <message>
        <source>Visible skin condition: unsure</source>
        <translation>Affection cutanée visible : incertain</translation>
    </message>
    <message>
        <source>Sensitive content: toggle yes / no</source>
        <translation>Contenu sensible : basculer oui / non</translation>
    </message>
    <message>
        <source>Go to the first empty diagnosis</source>
        <translation>Aller au premier diagnostic vide</translation>
    </message>
    <message>
        <source>Confidence of the diagnosis that has the focus</source>
        <translation>Confiance du diagnostic qui a le focus</translation>
    </message>
    <message>
        <source>Diagnosis: toggle cannot determine</source>
        <translation>Diagnostic : basculer « impossible à déterminer »</translation>
    </message>
    <message>
        <source>Fitzpatrick type I - VI</source>
        <translation>Phototype de Fitzpatrick I - VI</translation>
    </message>
    <message>
        <source>Fitzpatrick type not gradable</source>
        <translation>Phototype de Fitzpatrick non évaluable</translation>
    </message>
    <message>
        <source>Monk skin tone 1 - 10 (0 is 10)</source>
        <translation>Teinte de peau de Monk 1 - 10 (0 vaut 10)</translation>
    </message>
    <message>
        <source>Monk skin tone not gradable</source>
        <translation>Teinte de peau de Monk non évaluable</translation>
    </message>
    <message>
        <source>Go to Quality, Suitability, Diagnoses, Skin type, Note</source>
        <translation>Aller à Qualité, Adéquation, Diagnostics, Type de peau, Note</translation>
    </message>
</context>
<context>
    <name>dl::LabelMeReader</name>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>Impossible de lire %1 : %2</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1 : %2</translation>
    </message>
    <message>
        <source>The LabelMe file says the image is %1 x %2, but it is %3 x %4.</source>
        <translation>Le fichier LabelMe indique une image de %1 x %2, mais elle fait %3 x %4.</translation>
    </message>
    <message>
        <source>The LabelMe file says the image is %1 x %2, more than %3 megapixels: refused before drawing any shape.</source>
        <translation>Le fichier LabelMe indique une image de %1 x %2, plus de %3 mégapixels : refusé avant de dessiner la moindre forme.</translation>
    </message>
    <message>
        <source>The LabelMe file has no &quot;shapes&quot; array.</source>
        <translation>Le fichier LabelMe n&apos;a pas de tableau « shapes ».</translation>
    </message>
    <message>
        <source>shapes[%1] is not an object.</source>
        <translation>shapes[%1] n&apos;est pas un objet.</translation>
    </message>
    <message>
        <source>shapes[%1] has no &quot;label&quot;.</source>
        <translation>shapes[%1] n&apos;a pas de « label ».</translation>
    </message>
    <message>
        <source>shapes[%1] (&quot;%2&quot;)</source>
        <translation>shapes[%1] (« %2 »)</translation>
    </message>
    <message>
        <source>%1: &quot;shape_type&quot; is not a string.</source>
        <translation>%1 : « shape_type » n&apos;est pas une chaîne.</translation>
    </message>
    <message>
        <source>%1: &quot;points&quot; must be a list of [x, y] number pairs.</source>
        <translation>%1 : « points » doit être une liste de paires de nombres [x, y].</translation>
    </message>
    <message>
        <source>%1: a polygon with fewer than 3 points; ignored.</source>
        <translation>%1 : un polygone de moins de 3 points ; ignoré.</translation>
    </message>
    <message>
        <source>%1: a rectangle needs 2 points; ignored.</source>
        <translation>%1 : un rectangle exige 2 points ; ignoré.</translation>
    </message>
    <message>
        <source>%1: a circle needs 2 points; ignored.</source>
        <translation>%1 : un cercle exige 2 points ; ignoré.</translation>
    </message>
    <message>
        <source>%1: %2 shapes are not regions; ignored.</source>
        <translation>%1 : les formes %2 ne sont pas des régions ; ignorées.</translation>
    </message>
    <message>
        <source>%1: unknown shape type &quot;%2&quot;; ignored.</source>
        <translation>%1 : type de forme inconnu « %2 » ; ignoré.</translation>
    </message>
</context>
<context>
    <name>dl::LabelMeWriter</name>
    <message>
        <source>A LabelMe file needs an image path.</source>
        <translation>Un fichier LabelMe doit avoir un chemin d&apos;image.</translation>
    </message>
    <message>
        <source>Invalid image size %1 x %2.</source>
        <translation>Taille d&apos;image non valide %1 x %2.</translation>
    </message>
    <message>
        <source>The &quot;%1&quot; mask is %2 x %3 (type %4), not %5 x %6 8-bit.</source>
        <translation>Le masque « %1 » fait %2 x %3 (type %4), et non %5 x %6 en 8 bits.</translation>
    </message>
    <message>
        <source>The &quot;%1&quot; mask could not be encoded.</source>
        <translation>Le masque « %1 » n&apos;a pas pu être encodé.</translation>
    </message>
</context>
<context>
    <name>dl::LabelVocabulary</name>
    <message>
        <source>Blurry</source>
        <translation>Flou</translation>
    </message>
    <message>
        <source>Poor lighting</source>
        <translation>Mauvais éclairage</translation>
    </message>
    <message>
        <source>Too far</source>
        <translation>Trop éloigné</translation>
    </message>
    <message>
        <source>Cropped or obstructed</source>
        <translation>Recadré ou masqué</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>Autre</translation>
    </message>
    <message>
        <source>Face</source>
        <translation>Visage</translation>
    </message>
    <message>
        <source>Tattoo</source>
        <translation>Tatouage</translation>
    </message>
    <message>
        <source>Jewellery or birthmark</source>
        <translation>Bijou ou tache de naissance</translation>
    </message>
    <message>
        <source>Background landmark</source>
        <translation>Repère d&apos;arrière-plan</translation>
    </message>
    <message>
        <source>Visible text</source>
        <translation>Texte visible</translation>
    </message>
</context>
<context>
    <name>dl::LabellingDocument</name>
    <message>
        <source>Keep the stored labels</source>
        <translation>Garder les étiquettes enregistrées</translation>
    </message>
</context>
<context>
    <name>dl::LabellingView</name>
    <message>
        <source>%1 of %2</source>
        <translation>%1 sur %2</translation>
    </message>
    <message>
        <source>Next Image</source>
        <translation>Image suivante</translation>
    </message>
    <message>
        <source>Previous Image</source>
        <translation>Image précédente</translation>
    </message>
    <message>
        <source>Skip Image</source>
        <translation>Ignorer l&apos;image</translation>
    </message>
    <message>
        <source>Flag for QA</source>
        <translation>Signaler au contrôle qualité</translation>
    </message>
    <message>
        <source>Saved</source>
        <translation>Enregistré</translation>
    </message>
    <message>
        <source>Not saved: %1</source>
        <translation>Non enregistré : %1</translation>
    </message>
    <message>
        <source>These labels are read-only: the mask tools are off.</source>
        <translation>Ces étiquettes sont en lecture seule : les outils de masque sont désactivés.</translation>
    </message>
    <message>
        <source>No masks for this image.</source>
        <translation>Aucun masque pour cette image.</translation>
    </message>
    <message>
        <source>The masks cannot be opened: %1</source>
        <translation>Les masques ne peuvent pas être ouverts : %1</translation>
    </message>
    <message>
        <source>The mask tools are on once the full image is loaded.</source>
        <translation>Les outils de masque sont activés une fois l&apos;image complète chargée.</translation>
    </message>
    <message>
        <source>The image is %1 x %2 but its masks are %3 x %4: the mask tools are off.</source>
        <translation>L&apos;image fait %1 x %2 mais ses masques font %3 x %4 : les outils de masque sont désactivés.</translation>
    </message>
    <message>
        <source>Zoom &amp;Out</source>
        <translation>Zoom a&amp;rrière</translation>
    </message>
    <message>
        <source>Zoom &amp;In</source>
        <translation>Zoom a&amp;vant</translation>
    </message>
    <message>
        <source>&amp;Fit to Window</source>
        <translation>&amp;Ajuster à la fenêtre</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>Ajuster</translation>
    </message>
    <message>
        <source>&amp;Actual Size (100%)</source>
        <translation>&amp;Taille réelle (100 %)</translation>
    </message>
    <message>
        <source>Brightness</source>
        <translation>Luminosité</translation>
    </message>
    <message>
        <source>Contrast</source>
        <translation>Contraste</translation>
    </message>
    <message>
        <source>Brightness %1 (view only; Ctrl+B / Ctrl+Shift+B)</source>
        <translation>Luminosité %1 (affichage seulement ; Ctrl+B / Ctrl+Shift+B)</translation>
    </message>
    <message>
        <source>Contrast %1 (view only; Ctrl+E / Ctrl+Shift+E)</source>
        <translation>Contraste %1 (affichage seulement ; Ctrl+E / Ctrl+Shift+E)</translation>
    </message>
    <message>
        <source>&amp;Brighter</source>
        <translation>Plus &amp;clair</translation>
    </message>
    <message>
        <source>Brighter</source>
        <translation>Plus clair</translation>
    </message>
    <message>
        <source>&amp;Darker</source>
        <translation>Plus &amp;sombre</translation>
    </message>
    <message>
        <source>Darker</source>
        <translation>Plus sombre</translation>
    </message>
    <message>
        <source>&amp;More Contrast</source>
        <translation>&amp;Plus de contraste</translation>
    </message>
    <message>
        <source>More contrast</source>
        <translation>Plus de contraste</translation>
    </message>
    <message>
        <source>&amp;Less Contrast</source>
        <translation>&amp;Moins de contraste</translation>
    </message>
    <message>
        <source>Less contrast</source>
        <translation>Moins de contraste</translation>
    </message>
    <message>
        <source>&amp;Reset View</source>
        <translation>Réinitialiser l&apos;a&amp;ffichage</translation>
    </message>
    <message>
        <source>Reset</source>
        <translation>Réinitialiser</translation>
    </message>
    <message>
        <source>Zoom: fitted to the window</source>
        <translation>Zoom : ajusté à la fenêtre</translation>
    </message>
    <message>
        <source>Zoom</source>
        <translation>Zoom</translation>
    </message>
    <message>
        <source>The image cannot be shown: %1</source>
        <translation>L&apos;image ne peut pas être affichée : %1</translation>
    </message>
    <message>
        <source>All images</source>
        <translation>Toutes les images</translation>
    </message>
    <message>
        <source>To do</source>
        <translation>À faire</translation>
    </message>
    <message>
        <source>In progress</source>
        <translation>En cours</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Terminées</translation>
    </message>
    <message>
        <source>Skipped</source>
        <translation>Ignorées</translation>
    </message>
    <message>
        <source>Flagged for QA</source>
        <translation>Signalées au contrôle qualité</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>Image %1 of %2 · %3</source>
        <translation>Image %1 sur %2 · %3</translation>
    </message>
</context>
<context>
    <name>dl::LayerAgreementReport</name>
    <message>
        <source>A stored mask of image %1 (%2) cannot be read: %3</source>
        <translation>Un masque enregistré de l&apos;image %1 (%2) est illisible : %3</translation>
    </message>
</context>
<context>
    <name>dl::MagicWandTool</name>
    <message>
        <source>Selecting…</source>
        <translation>Sélection…</translation>
    </message>
    <message>
        <source>Wait for the segmentation to finish.</source>
        <translation>Attendez la fin de la segmentation.</translation>
    </message>
</context>
<context>
    <name>dl::MainWindow</name>
    <message>
        <source>Store</source>
        <translation>Base</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Fichier</translation>
    </message>
    <message>
        <source>&amp;New Store…</source>
        <translation>&amp;Nouvelle base…</translation>
    </message>
    <message>
        <source>&amp;Open Store…</source>
        <translation>&amp;Ouvrir une base…</translation>
    </message>
    <message>
        <source>Open &amp;Team Store…</source>
        <translation>Ouvrir une &amp;base d&apos;équipe…</translation>
    </message>
    <message>
        <source>Open &amp;Recent</source>
        <translation>Bases &amp;récentes</translation>
    </message>
    <message>
        <source>&amp;Import</source>
        <translation>&amp;Importer</translation>
    </message>
    <message>
        <source>Image &amp;Folder…</source>
        <translation>&amp;Dossier d&apos;images…</translation>
    </message>
    <message>
        <source>Ctrl+I</source>
        <translation>Ctrl+I</translation>
    </message>
    <message>
        <source>&amp;SCIN Dataset…</source>
        <translation>Jeu de données &amp;SCIN…</translation>
    </message>
    <message>
        <source>&amp;PASSION Dataset…</source>
        <translation>Jeu de données &amp;PASSION…</translation>
    </message>
    <message>
        <source>Sign &amp;Out</source>
        <translation>Se &amp;déconnecter</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Quitter</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Édition</translation>
    </message>
    <message>
        <source>&amp;Preferences…</source>
        <translation>&amp;Préférences…</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Affichage</translation>
    </message>
    <message>
        <source>&amp;Image</source>
        <translation>&amp;Image</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>&amp;Outils</translation>
    </message>
    <message>
        <source>&amp;Admin</source>
        <translation>Ad&amp;ministration</translation>
    </message>
    <message>
        <source>&amp;Users…</source>
        <translation>&amp;Utilisateurs…</translation>
    </message>
    <message>
        <source>&amp;Assign Images…</source>
        <translation>&amp;Attribuer des images…</translation>
    </message>
    <message>
        <source>&amp;Quality Dashboard</source>
        <translation>Tableau de bord &amp;qualité</translation>
    </message>
    <message>
        <source>&amp;Training Store: Show Reference Labels to Raters</source>
        <translation>&amp;Base d&apos;entraînement : montrer les étiquettes de référence aux évaluateurs</translation>
    </message>
    <message>
        <source>Training Store</source>
        <translation>Base d&apos;entraînement</translation>
    </message>
    <message>
        <source>&amp;Export Bundle…</source>
        <translation>&amp;Exporter un paquet…</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>Aid&amp;e</translation>
    </message>
    <message>
        <source>&amp;Keyboard Shortcuts</source>
        <translation>&amp;Raccourcis clavier</translation>
    </message>
    <message>
        <source>&amp;About DermLabel</source>
        <translation>À &amp;propos de DermLabel</translation>
    </message>
    <message>
        <source>Cannot open the store</source>
        <translation>Impossible d&apos;ouvrir la base</translation>
    </message>
    <message>
        <source>Wait for the running import to finish first.</source>
        <translation>Attendez d&apos;abord la fin de l&apos;importation en cours.</translation>
    </message>
    <message>
        <source>Cannot sign in</source>
        <translation>Connexion impossible</translation>
    </message>
    <message>
        <source>&lt;b&gt;Welcome to DermLabel.&lt;/b&gt;</source>
        <translation>&lt;b&gt;Bienvenue dans DermLabel.&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Labels, images and users live in a store: a file on this computer, or a team store on your team&apos;s server. Create a new store, or open one that an administrator gave you.</source>
        <translation>Les étiquettes, les images et les utilisateurs se trouvent dans une base : un fichier sur cet ordinateur, ou une base d&apos;équipe sur le serveur de votre équipe. Créez une nouvelle base ou ouvrez celle qu&apos;un administrateur vous a fournie.</translation>
    </message>
    <message>
        <source>Create Store…</source>
        <translation>Créer une base…</translation>
    </message>
    <message>
        <source>Open Store…</source>
        <translation>Ouvrir une base…</translation>
    </message>
    <message>
        <source>Open Team Store…</source>
        <translation>Ouvrir une base d&apos;équipe…</translation>
    </message>
    <message>
        <source>DermLabel stores (*.dermlabel);;All files (*)</source>
        <translation>Bases DermLabel (*.dermlabel);;Tous les fichiers (*)</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>&amp;Annuler</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>&amp;Rétablir</translation>
    </message>
    <message>
        <source>Create Store</source>
        <translation>Créer une base</translation>
    </message>
    <message>
        <source>Open Store</source>
        <translation>Ouvrir une base</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>Importer</translation>
    </message>
    <message>
        <source>Choose the SCIN dataset folder</source>
        <translation>Choisissez le dossier du jeu de données SCIN</translation>
    </message>
    <message>
        <source>Choose the PASSION dataset folder</source>
        <translation>Choisissez le dossier du jeu de données PASSION</translation>
    </message>
    <message>
        <source>Choose a folder of images</source>
        <translation>Choisissez un dossier d&apos;images</translation>
    </message>
    <message>
        <source>The import could not be done.</source>
        <translation>L&apos;importation n&apos;a pas pu être effectuée.</translation>
    </message>
    <message>
        <source>Import cancelled.</source>
        <translation>Importation annulée.</translation>
    </message>
    <message>
        <source>Import finished.</source>
        <translation>Importation terminée.</translation>
    </message>
    <message>
        <source>Interrupted import</source>
        <translation>Importation interrompue</translation>
    </message>
    <message>
        <source>An import of %1 started at %2 did not finish. Resume it now? Images already imported are kept and skipped.</source>
        <translation>Une importation de %1 commencée à %2 ne s&apos;est pas terminée. La reprendre maintenant ? Les images déjà importées sont conservées et ignorées.</translation>
    </message>
    <message>
        <source>%1 (%2) · %3</source>
        <translation>%1 (%2) · %3</translation>
    </message>
    <message>
        <source>No store open</source>
        <translation>Aucune base ouverte</translation>
    </message>
    <message>
        <source>Open a store to begin: File › Open Store, or File › Open Team Store for your team&apos;s server.</source>
        <translation>Ouvrez une base pour commencer : Fichier › Ouvrir une base, ou Fichier › Ouvrir une base d&apos;équipe pour le serveur de votre équipe.</translation>
    </message>
    <message>
        <source>No images are assigned to you yet.
An administrator assigns the work.</source>
        <translation>Aucune image ne vous est encore attribuée.
Un administrateur répartit le travail.</translation>
    </message>
    <message>
        <source>This store has no images yet.
Import a folder or a dataset: File › Import.</source>
        <translation>Cette base ne contient pas encore d&apos;images.
Importez un dossier ou un jeu de données : Fichier › Importer.</translation>
    </message>
    <message>
        <source>&lt;p&gt;No store is open.&lt;/p&gt;&lt;p&gt;Use &lt;b&gt;File › New Store&lt;/b&gt;, &lt;b&gt;File › Open Store&lt;/b&gt; or, for your team&apos;s server, &lt;b&gt;File › Open Team Store&lt;/b&gt;.&lt;/p&gt;</source>
        <translation>&lt;p&gt;Aucune base n&apos;est ouverte.&lt;/p&gt;&lt;p&gt;Utilisez &lt;b&gt;Fichier › Nouvelle base&lt;/b&gt;, &lt;b&gt;Fichier › Ouvrir une base&lt;/b&gt; ou, pour le serveur de votre équipe, &lt;b&gt;Fichier › Ouvrir une base d&apos;équipe&lt;/b&gt;.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Your queue&lt;/h3&gt;&lt;table cellspacing=&apos;4&apos;&gt;&lt;tr&gt;&lt;td&gt;Assigned images&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%1&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Done&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%2&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;To go&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%3&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</source>
        <translation>&lt;h3&gt;Votre file de travail&lt;/h3&gt;&lt;table cellspacing=&apos;4&apos;&gt;&lt;tr&gt;&lt;td&gt;Images attribuées&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%1&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Terminées&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%2&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Restantes&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%3&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</translation>
    </message>
    <message>
        <source>%1 of %2 images done</source>
        <translation>%1 images terminées sur %2</translation>
    </message>
    <message>
        <source>&lt;h3&gt;%1&lt;/h3&gt;&lt;table cellspacing=&apos;4&apos;&gt;&lt;tr&gt;&lt;td&gt;Images&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%2&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Cases&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%3&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Reference labels&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%4&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Users&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%5&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Annotations&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%6&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Sources&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%7&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Image data&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%8 MB&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</source>
        <translation>&lt;h3&gt;%1&lt;/h3&gt;&lt;table cellspacing=&apos;4&apos;&gt;&lt;tr&gt;&lt;td&gt;Images&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%2&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Cas&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%3&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Étiquettes de référence&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%4&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Utilisateurs&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%5&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Annotations&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%6&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Sources&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%7&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Données d&apos;image&lt;/td&gt;&lt;td align=&apos;right&apos;&gt;&lt;b&gt;%8 Mo&lt;/b&gt;&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</translation>
    </message>
    <message>
        <source>1 image</source>
        <translation>1 image</translation>
    </message>
    <message>
        <source>%1 images</source>
        <translation>%1 images</translation>
    </message>
    <message>
        <source>%1 new assignments over %2 images.</source>
        <translation>%1 nouvelles attributions sur %2 images.</translation>
    </message>
    <message>
        <source>The new language applies when DermLabel is restarted.</source>
        <translation>La nouvelle langue s&apos;applique au redémarrage de DermLabel.</translation>
    </message>
    <message>
        <source>About DermLabel</source>
        <translation>À propos de DermLabel</translation>
    </message>
    <message>
        <source>&lt;h3&gt;DermLabel %1&lt;/h3&gt;&lt;p&gt;An annotation workstation for de-identified dermatology images: quality, suitability, differential diagnoses, skin type and tone, and region masks, labelled by several dermatologists independently.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;DermLabel %1&lt;/h3&gt;&lt;p&gt;Un poste d&apos;annotation pour images dermatologiques anonymisées : qualité, adéquation, diagnostics différentiels, type et teinte de peau, et masques de régions, étiquetés indépendamment par plusieurs dermatologues.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Import running</source>
        <translation>Importation en cours</translation>
    </message>
    <message>
        <source>An import is running. Stop it and quit? What was imported so far is kept; the import can be resumed later.</source>
        <translation>Une importation est en cours. L&apos;arrêter et quitter ? Ce qui a été importé jusqu&apos;ici est conservé ; l&apos;importation pourra être reprise plus tard.</translation>
    </message>
</context>
<context>
    <name>dl::MaskCanvas</name>
    <message>
        <source>[ / ], Shift+wheel</source>
        <translation>[ / ], Shift+molette</translation>
    </message>
    <message>
        <source>Brush smaller / larger</source>
        <translation>Pinceau plus petit / plus grand</translation>
    </message>
    <message>
        <source>Shift+click or drag</source>
        <translation>Shift+clic ou glisser</translation>
    </message>
    <message>
        <source>Erase with a paint tool (brush, polygon, rectangle, fill, wand)</source>
        <translation>Effacer avec un outil de peinture (pinceau, polygone, rectangle, remplissage, baguette)</translation>
    </message>
    <message>
        <source>Click, drag</source>
        <translation>Clic, glisser</translation>
    </message>
    <message>
        <source>Polygon: add a vertex; drag draws a freehand lasso</source>
        <translation>Polygone : ajouter un sommet ; glisser trace un lasso à main levée</translation>
    </message>
    <message>
        <source>Enter, double-click</source>
        <translation>Enter, double-clic</translation>
    </message>
    <message>
        <source>Polygon: close and fill</source>
        <translation>Polygone : fermer et remplir</translation>
    </message>
    <message>
        <source>Backspace</source>
        <translation>Backspace</translation>
    </message>
    <message>
        <source>Polygon: remove the last vertex</source>
        <translation>Polygone : supprimer le dernier sommet</translation>
    </message>
    <message>
        <source>Esc</source>
        <translation>Esc</translation>
    </message>
    <message>
        <source>Cancel the polygon, the running segmentation, or end the GrabCut session</source>
        <translation>Annuler le polygone, la segmentation en cours, ou terminer la session GrabCut</translation>
    </message>
    <message>
        <source>Drag, then drag / right drag</source>
        <translation>Glisser, puis glisser / glisser avec le bouton droit</translation>
    </message>
    <message>
        <source>GrabCut: box, then foreground / background strokes (or Alt+drag)</source>
        <translation>GrabCut : cadre, puis tracés de premier plan / d&apos;arrière-plan (ou Alt+glisser)</translation>
    </message>
    <message>
        <source>Drag / right drag, Enter</source>
        <translation>Glisser / glisser avec le bouton droit, Enter</translation>
    </message>
    <message>
        <source>GrabCut from strokes: foreground / background strokes (or Alt+drag); segments when a foreground stroke ends, or on Enter</source>
        <translation>GrabCut à partir de tracés : tracés de premier plan / d&apos;arrière-plan (ou Alt+glisser) ; segmente à la fin d&apos;un tracé de premier plan, ou sur Enter</translation>
    </message>
    <message>
        <source>The mask tools are off.</source>
        <translation>Les outils de masque sont désactivés.</translation>
    </message>
    <message>
        <source>No masks for this image.</source>
        <translation>Aucun masque pour cette image.</translation>
    </message>
    <message>
        <source>The image is %1 x %2 but its masks are %3 x %4: the tools are off.</source>
        <translation>L&apos;image fait %1 x %2 mais ses masques font %3 x %4 : les outils sont désactivés.</translation>
    </message>
    <message>
        <source>Add a potential diagnosis or tick an identifying kind to draw its region.</source>
        <translation>Ajoutez un diagnostic possible ou cochez un type de contenu identifiant pour dessiner sa région.</translation>
    </message>
    <message>
        <source>Wait for the segmentation to finish.</source>
        <translation>Attendez la fin de la segmentation.</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>Annulé.</translation>
    </message>
</context>
<context>
    <name>dl::MaskCodec</name>
    <message>
        <source>The mask data is not a PNG image.</source>
        <translation>Les données du masque ne sont pas une image PNG.</translation>
    </message>
    <message>
        <source>The mask PNG is damaged or truncated.</source>
        <translation>Le PNG du masque est endommagé ou tronqué.</translation>
    </message>
    <message>
        <source>The mask PNG is not an 8-bit greyscale image.</source>
        <translation>Le PNG du masque n&apos;est pas une image en niveaux de gris 8 bits.</translation>
    </message>
    <message>
        <source>Invalid image size %1 x %2.</source>
        <translation>Taille d&apos;image non valide %1 x %2.</translation>
    </message>
    <message>
        <source>The shape is not a LabelMe mask shape.</source>
        <translation>La forme n&apos;est pas une forme de masque LabelMe.</translation>
    </message>
    <message>
        <source>A mask shape needs points [[x1, y1], [x2, y2]].</source>
        <translation>Une forme de masque exige des points [[x1, y1], [x2, y2]].</translation>
    </message>
    <message>
        <source>The mask shape&apos;s box [[%1, %2], [%3, %4]] is inverted.</source>
        <translation>Le cadre de la forme de masque [[%1, %2], [%3, %4]] est inversé.</translation>
    </message>
    <message>
        <source>The mask shape&apos;s box [[%1, %2], [%3, %4]] lies outside the %5 x %6 image.</source>
        <translation>Le cadre de la forme de masque [[%1, %2], [%3, %4]] est hors de l&apos;image de %5 x %6.</translation>
    </message>
    <message>
        <source>The mask shape has no base64 &quot;mask&quot; image.</source>
        <translation>La forme de masque n&apos;a pas d&apos;image « mask » en base64.</translation>
    </message>
    <message>
        <source>The mask shape&apos;s &quot;mask&quot; is not valid base64.</source>
        <translation>Le « mask » de la forme de masque n&apos;est pas du base64 valide.</translation>
    </message>
    <message>
        <source>The mask shape&apos;s &quot;mask&quot; is not a PNG image.</source>
        <translation>Le « mask » de la forme de masque n&apos;est pas une image PNG.</translation>
    </message>
    <message>
        <source>The mask shape&apos;s &quot;mask&quot; is not a readable PNG image: %1</source>
        <translation>Le « mask » de la forme de masque n&apos;est pas une image PNG lisible : %1</translation>
    </message>
    <message>
        <source>The mask shape&apos;s PNG header says %1 x %2 but its box is %3 x %4; not decoded.</source>
        <translation>L&apos;en-tête PNG de la forme de masque indique %1 x %2 mais son cadre fait %3 x %4 ; non décodé.</translation>
    </message>
    <message>
        <source>The mask shape&apos;s &quot;mask&quot; is not a readable PNG image.</source>
        <translation>Le « mask » de la forme de masque n&apos;est pas une image PNG lisible.</translation>
    </message>
    <message>
        <source>The mask shape&apos;s image is %1 x %2 but its box is %3 x %4.</source>
        <translation>L&apos;image de la forme de masque fait %1 x %2 mais son cadre fait %3 x %4.</translation>
    </message>
</context>
<context>
    <name>dl::MaskDocument</name>
    <message>
        <source>Unknown mask layer &quot;%1&quot;.</source>
        <translation>Calque de masque inconnu « %1 ».</translation>
    </message>
    <message>
        <source>The mask is %1 x %2 but the image is %3 x %4.</source>
        <translation>Le masque fait %1 x %2 mais l&apos;image fait %3 x %4.</translation>
    </message>
</context>
<context>
    <name>dl::MaskEditCommand</name>
    <message>
        <source>Brush</source>
        <translation>Pinceau</translation>
    </message>
    <message>
        <source>Eraser</source>
        <translation>Gomme</translation>
    </message>
    <message>
        <source>Polygon</source>
        <translation>Polygone</translation>
    </message>
    <message>
        <source>Rectangle</source>
        <translation>Rectangle</translation>
    </message>
    <message>
        <source>Fill</source>
        <translation>Remplissage</translation>
    </message>
    <message>
        <source>Fill holes</source>
        <translation>Combler les trous</translation>
    </message>
    <message>
        <source>Remove specks</source>
        <translation>Supprimer les points isolés</translation>
    </message>
    <message>
        <source>Smooth edge</source>
        <translation>Lisser le contour</translation>
    </message>
    <message>
        <source>Assisted segmentation</source>
        <translation>Segmentation assistée</translation>
    </message>
    <message>
        <source>Superpixel brush</source>
        <translation>Pinceau à superpixels</translation>
    </message>
</context>
<context>
    <name>dl::MaskLayer</name>
    <message>
        <source>Other identifying content</source>
        <translation>Autre contenu identifiant</translation>
    </message>
    <message>
        <source>%1 (identifying)</source>
        <translation>%1 (identifiant)</translation>
    </message>
</context>
<context>
    <name>dl::MaskLayerPanel</name>
    <message>
        <source>Regions</source>
        <translation>Régions</translation>
    </message>
    <message>
        <source>Add a potential diagnosis or tick an identifying kind to draw its region.</source>
        <translation>Ajoutez un diagnostic possible ou cochez un type de contenu identifiant pour dessiner sa région.</translation>
    </message>
    <message>
        <source>Tick to show a region; select a row to draw on it</source>
        <translation>Cochez pour afficher une région ; sélectionnez une ligne pour dessiner dessus</translation>
    </message>
    <message>
        <source>Opacity</source>
        <translation>Opacité</translation>
    </message>
    <message>
        <source>Opacity of the selected region</source>
        <translation>Opacité de la région sélectionnée</translation>
    </message>
    <message>
        <source>Outline only</source>
        <translation>Contour seulement</translation>
    </message>
    <message>
        <source>Fill holes</source>
        <translation>Combler les trous</translation>
    </message>
    <message>
        <source>Fill the holes of the selected region</source>
        <translation>Combler les trous de la région sélectionnée</translation>
    </message>
    <message>
        <source>Remove specks</source>
        <translation>Supprimer les points isolés</translation>
    </message>
    <message>
        <source>Remove the parts of the selected region smaller than the size given</source>
        <translation>Supprimer les parties de la région sélectionnée plus petites que la taille indiquée</translation>
    </message>
    <message>
        <source> px</source>
        <translation> px</translation>
    </message>
    <message>
        <source>Smallest part kept, in pixels</source>
        <translation>Plus petite partie conservée, en pixels</translation>
    </message>
    <message>
        <source>Smooth</source>
        <translation>Lisser</translation>
    </message>
    <message>
        <source>Smooth the outline of the selected region</source>
        <translation>Lisser le contour de la région sélectionnée</translation>
    </message>
    <message>
        <source>Smoothing radius, in pixels</source>
        <translation>Rayon de lissage, en pixels</translation>
    </message>
    <message>
        <source>%1%</source>
        <translation>%1 %</translation>
    </message>
    <message>
        <source>%1 — not in labels</source>
        <translation>%1 — absent des étiquettes</translation>
    </message>
    <message>
        <source>%1: no longer among the labels; kept while it has pixels</source>
        <translation>%1 : ne figure plus parmi les étiquettes ; conservé tant qu&apos;il contient des pixels</translation>
    </message>
</context>
<context>
    <name>dl::MaskService</name>
    <message>
        <source>the image inside is %1 x %2</source>
        <translation>l&apos;image contenue fait %1 x %2</translation>
    </message>
    <message>
        <source>unknown encoding &quot;%1&quot;</source>
        <translation>encodage inconnu « %1 »</translation>
    </message>
    <message>
        <source>Version %1 of mask layer %2 cannot be read: %3</source>
        <translation>La version %1 du calque de masque %2 est illisible : %3</translation>
    </message>
    <message>
        <source>This image is not assigned to %1.</source>
        <translation>Cette image n&apos;est pas attribuée à %1.</translation>
    </message>
    <message>
        <source>There is no image %1.</source>
        <translation>Il n&apos;y a pas d&apos;image %1.</translation>
    </message>
    <message>
        <source>The stored mask %1 is %2 x %3 but the image is displayed %4 x %5.</source>
        <translation>Le masque enregistré %1 fait %2 x %3 mais l&apos;image est affichée en %4 x %5.</translation>
    </message>
    <message>
        <source>Only the author may change masks.</source>
        <translation>Seul l&apos;auteur peut modifier les masques.</translation>
    </message>
    <message>
        <source>The masks are %1 x %2 but the image is displayed %3 x %4.</source>
        <translation>Les masques font %1 x %2 mais l&apos;image est affichée en %3 x %4.</translation>
    </message>
    <message>
        <source>Unknown mask layer &quot;%1&quot;.</source>
        <translation>Calque de masque inconnu « %1 ».</translation>
    </message>
    <message>
        <source>The mask %1 is %2 x %3 but the image is displayed %4 x %5.</source>
        <translation>Le masque %1 fait %2 x %3 mais l&apos;image est affichée en %4 x %5.</translation>
    </message>
    <message>
        <source>The labels of this image were changed elsewhere at the same time; saving again.</source>
        <translation>Les étiquettes de cette image ont été modifiées ailleurs au même moment ; nouvel enregistrement.</translation>
    </message>
    <message>
        <source>These regions were changed elsewhere (in another window or on another workstation) since they were read here; nothing was overwritten.</source>
        <translation>Ces régions ont été modifiées ailleurs (dans une autre fenêtre ou sur un autre poste) depuis leur lecture ici ; rien n&apos;a été écrasé.</translation>
    </message>
    <message>
        <source>There is no version %1 of mask layer %2.</source>
        <translation>Il n&apos;y a pas de version %1 du calque de masque %2.</translation>
    </message>
</context>
<context>
    <name>dl::MaskToolBar</name>
    <message>
        <source>Pan</source>
        <translation>Déplacer</translation>
    </message>
    <message>
        <source>drag to move the image (the masks are not changed)</source>
        <translation>glisser pour déplacer l&apos;image (les masques ne changent pas)</translation>
    </message>
    <message>
        <source>Brush</source>
        <translation>Pinceau</translation>
    </message>
    <message>
        <source>paint the selected region; Shift erases; [ and ] set the size</source>
        <translation>peindre la région sélectionnée ; Shift efface ; [ et ] règlent la taille</translation>
    </message>
    <message>
        <source>Eraser</source>
        <translation>Gomme</translation>
    </message>
    <message>
        <source>erase from the selected region; [ and ] set the size</source>
        <translation>effacer de la région sélectionnée ; [ et ] règlent la taille</translation>
    </message>
    <message>
        <source>Polygon / Lasso</source>
        <translation>Polygone / Lasso</translation>
    </message>
    <message>
        <source>click vertices or drag freehand; Enter or double-click closes, Backspace removes a vertex, Esc cancels</source>
        <translation>cliquez les sommets ou glissez à main levée ; Enter ou double-clic ferme, Backspace supprime un sommet, Esc annule</translation>
    </message>
    <message>
        <source>Rectangle</source>
        <translation>Rectangle</translation>
    </message>
    <message>
        <source>drag a rectangle; Shift erases</source>
        <translation>glisser un rectangle ; Shift efface</translation>
    </message>
    <message>
        <source>Fill</source>
        <translation>Remplissage</translation>
    </message>
    <message>
        <source>click inside a closed outline to fill it; Shift+click clears a region</source>
        <translation>cliquez à l&apos;intérieur d&apos;un contour fermé pour le remplir ; Shift+clic efface une région</translation>
    </message>
    <message>
        <source>Magic Wand</source>
        <translation>Baguette magique</translation>
    </message>
    <message>
        <source>click to add the area of similar colour (see Tolerance); Shift removes it</source>
        <translation>cliquez pour ajouter la zone de couleur similaire (voir Tolérance) ; Shift la retire</translation>
    </message>
    <message>
        <source>Assisted (GrabCut)</source>
        <translation>Assistée (GrabCut)</translation>
    </message>
    <message>
        <source>start from a box dragged around the lesion or (Strokes) from rough strokes over it; refine: drag over what belongs, right drag (or Alt+drag) over what does not; Esc ends</source>
        <translation>partez d&apos;un cadre glissé autour de la lésion ou (Tracés) de tracés approximatifs dessus ; affinez : glissez sur ce qui en fait partie, glissez avec le bouton droit (ou Alt+glisser) sur ce qui n&apos;en fait pas partie ; Esc termine</translation>
    </message>
    <message>
        <source>Superpixel Brush</source>
        <translation>Pinceau à superpixels</translation>
    </message>
    <message>
        <source>paint whole superpixels (similar-looking patches); Shift erases</source>
        <translation>peindre des superpixels entiers (zones d&apos;aspect semblable) ; Shift efface</translation>
    </message>
    <message>
        <source>Mask Tools</source>
        <translation>Outils de masque</translation>
    </message>
    <message>
        <source>%1 (%2): %3</source>
        <translation>%1 (%2) : %3</translation>
    </message>
    <message>
        <source>Smaller Brush</source>
        <translation>Pinceau plus petit</translation>
    </message>
    <message>
        <source>Larger Brush</source>
        <translation>Pinceau plus grand</translation>
    </message>
    <message>
        <source> px</source>
        <translation> px</translation>
    </message>
    <message>
        <source>Brush size in image pixels ([ and ], Shift+wheel)</source>
        <translation>Taille du pinceau en pixels de l&apos;image ([ et ], Shift+molette)</translation>
    </message>
    <message>
        <source>Brush size</source>
        <translation>Taille du pinceau</translation>
    </message>
    <message>
        <source>Tolerance </source>
        <translation>Tolérance </translation>
    </message>
    <message>
        <source>Magic wand: how far a colour may be from the clicked one (0-255 per channel)</source>
        <translation>Baguette magique : écart maximal d&apos;une couleur par rapport à celle cliquée (0-255 par canal)</translation>
    </message>
    <message>
        <source>Magic wand tolerance</source>
        <translation>Tolérance de la baguette magique</translation>
    </message>
    <message>
        <source>Box</source>
        <translation>Cadre</translation>
    </message>
    <message>
        <source>GrabCut starts from a box: drag it around the lesion, leaving some skin outside</source>
        <translation>GrabCut part d&apos;un cadre : glissez-le autour de la lésion en laissant un peu de peau à l&apos;extérieur</translation>
    </message>
    <message>
        <source>Strokes</source>
        <translation>Tracés</translation>
    </message>
    <message>
        <source>GrabCut starts from rough strokes: drag over the lesion (foreground), right drag or Alt+drag over skin (background); it segments when a foreground stroke ends, or on Enter</source>
        <translation>GrabCut part de tracés approximatifs : glissez sur la lésion (premier plan), glissez avec le bouton droit ou Alt+glisser sur la peau (arrière-plan) ; il segmente à la fin d&apos;un tracé de premier plan, ou sur Enter</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
    <message>
        <source>Stop the segmentation (Esc)</source>
        <translation>Arrêter la segmentation (Esc)</translation>
    </message>
    <message>
        <source>%1

Off: %2</source>
        <translation>%1

Désactivé : %2</translation>
    </message>
    <message>
        <source>Choose a tool to draw the selected region</source>
        <translation>Choisissez un outil pour dessiner la région sélectionnée</translation>
    </message>
    <message>
        <source>Drag a box around the lesion; then drag over what belongs, right drag over what does not; Esc ends</source>
        <translation>Glissez un cadre autour de la lésion ; puis glissez sur ce qui en fait partie, glissez avec le bouton droit sur ce qui n&apos;en fait pas partie ; Esc termine</translation>
    </message>
    <message>
        <source>Drag over the lesion, right drag (or Alt+drag) over skin: it segments when a stroke ends (Enter runs waiting strokes); more strokes refine; Esc ends</source>
        <translation>Glissez sur la lésion, glissez avec le bouton droit (ou Alt+glisser) sur la peau : la segmentation se fait à la fin d&apos;un tracé (Enter traite les tracés en attente) ; d&apos;autres tracés affinent ; Esc termine</translation>
    </message>
</context>
<context>
    <name>dl::MetadataStripper</name>
    <message>
        <source>Only JPEG and PNG files can be stripped of metadata losslessly; this is neither.</source>
        <translation>Seuls les fichiers JPEG et PNG peuvent être débarrassés de leurs métadonnées sans perte ; celui-ci n&apos;est ni l&apos;un ni l&apos;autre.</translation>
    </message>
    <message>
        <source>The JPEG has EXIF orientation %1: stripping its metadata would rotate it. Apply the orientation and re-encode it instead.</source>
        <translation>Le JPEG a l&apos;orientation EXIF %1 : supprimer ses métadonnées le ferait pivoter. Appliquez l&apos;orientation et réencodez-le plutôt.</translation>
    </message>
    <message>
        <source>%1 The profile was dropped; the colours are read as sRGB.</source>
        <translation>%1 Le profil a été supprimé ; les couleurs sont lues en sRGB.</translation>
    </message>
    <message>
        <source>An Adobe segment shorter than 12 bytes was dropped.</source>
        <translation>Un segment Adobe de moins de 12 octets a été supprimé.</translation>
    </message>
    <message>
        <source>Corrupt JPEG: the JFIF segment is too short.</source>
        <translation>JPEG corrompu : le segment JFIF est trop court.</translation>
    </message>
    <message>
        <source>Cannot encode a null image.</source>
        <translation>Impossible d&apos;encoder une image nulle.</translation>
    </message>
    <message>
        <source>Could not encode the image as PNG: %1</source>
        <translation>Impossible d&apos;encoder l&apos;image en PNG : %1</translation>
    </message>
</context>
<context>
    <name>dl::MonkSwatches</name>
    <message>
        <source>Monk skin tone %1 (key M then %2)</source>
        <translation>Teinte de peau de Monk %1 (touche M puis %2)</translation>
    </message>
    <message>
        <source>Monk tone %1</source>
        <translation>Teinte de Monk %1</translation>
    </message>
    <message>
        <source>N/G</source>
        <translation>N/É</translation>
    </message>
    <message>
        <source>Monk skin tone not gradable (key M then N)</source>
        <translation>Teinte de peau de Monk non évaluable (touche M puis N)</translation>
    </message>
</context>
<context>
    <name>dl::NewUserDialog</name>
    <message>
        <source>Add User</source>
        <translation>Ajouter un utilisateur</translation>
    </message>
    <message>
        <source>User &amp;name:</source>
        <translation>&amp;Nom d&apos;utilisateur :</translation>
    </message>
    <message>
        <source>e.g. dr.okafor</source>
        <translation>p. ex. dr.okafor</translation>
    </message>
    <message>
        <source>&amp;Display name:</source>
        <translation>Nom &amp;affiché :</translation>
    </message>
    <message>
        <source>e.g. Dr. Amara Okafor</source>
        <translation>p. ex. Dr Amara Okafor</translation>
    </message>
    <message>
        <source>&amp;Role:</source>
        <translation>&amp;Rôle :</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>Mot de &amp;passe :</translation>
    </message>
    <message>
        <source>R&amp;epeat password:</source>
        <translation>Répé&amp;ter le mot de passe :</translation>
    </message>
    <message>
        <source>&amp;Add User</source>
        <translation>A&amp;jouter l&apos;utilisateur</translation>
    </message>
    <message>
        <source>The user name is what they type to sign in.</source>
        <translation>Le nom d&apos;utilisateur est ce que la personne tape pour se connecter.</translation>
    </message>
    <message>
        <source>The password needs at least %1 characters.</source>
        <translation>Le mot de passe doit comporter au moins %1 caractères.</translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation>Les deux mots de passe diffèrent.</translation>
    </message>
</context>
<context>
    <name>dl::OverlapTableModel</name>
    <message>
        <source>Diagnosis: top-1 agreement</source>
        <translation>Diagnostic : concordance top-1</translation>
    </message>
    <message>
        <source>Share of rater pairs naming the same first condition, mean over images</source>
        <translation>Part des paires d&apos;évaluateurs nommant la même première affection, moyenne sur les images</translation>
    </message>
    <message>
        <source>Diagnosis: top-3 overlap</source>
        <translation>Diagnostic : recouvrement top-3</translation>
    </message>
    <message>
        <source>Overlap coefficient of the raters&apos; up-to-three conditions (shared / size of the shorter list), mean over images</source>
        <translation>Coefficient de recouvrement des trois affections au plus citées par les évaluateurs (communes / taille de la liste la plus courte), moyenne sur les images</translation>
    </message>
    <message>
        <source>Region Dice: %1</source>
        <translation>Dice de la région : %1</translation>
    </message>
    <message>
        <source>Mean Dice (2 |A ∩ B| / (|A| + |B|)) over every pair of raters who drew this region; lowest pair %1</source>
        <translation>Dice moyen (2 |A ∩ B| / (|A| + |B|)) sur toutes les paires d&apos;évaluateurs ayant dessiné cette région ; paire la plus basse %1</translation>
    </message>
    <message>
        <source>Region IoU: %1</source>
        <translation>IoU de la région : %1</translation>
    </message>
    <message>
        <source>Mean intersection over union over every pair of raters who drew this region</source>
        <translation>Intersection sur union moyenne sur toutes les paires d&apos;évaluateurs ayant dessiné cette région</translation>
    </message>
    <message numerus="yes">
        <source>%1 in %2: %3 over %n image(s), %4 against all images</source>
        <translation>
            <numerusform>%1 dans %2 : %3 sur %n image, %4 sur l&apos;ensemble des images</numerusform>
            <numerusform>%1 dans %2 : %3 sur %n images, %4 sur l&apos;ensemble des images</numerusform>
        </translation>
    </message>
    <message>
        <source>n %1</source>
        <translation>n %1</translation>
    </message>
    <message>
        <source>%1 %2: the value over this group&apos;s images</source>
        <translation>%1 %2 : la valeur sur les images de ce groupe</translation>
    </message>
    <message>
        <source>Images of this group the value rests on</source>
        <translation>Images de ce groupe sur lesquelles repose la valeur</translation>
    </message>
    <message>
        <source>Measure</source>
        <translation>Mesure</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>Images</translation>
    </message>
    <message>
        <source>Rater pairs</source>
        <translation>Paires d&apos;évaluateurs</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Valeur</translation>
    </message>
    <message>
        <source>Images with at least two raters&apos; differentials (diagnoses) or regions (masks)</source>
        <translation>Images avec les diagnostics différentiels (diagnostics) ou les régions (masques) d&apos;au moins deux évaluateurs</translation>
    </message>
    <message>
        <source>Pairs of raters who both drew the region, over all images</source>
        <translation>Paires d&apos;évaluateurs ayant tous deux dessiné la région, sur toutes les images</translation>
    </message>
    <message>
        <source>Mean over rater pairs; 1 is full agreement, 0 none</source>
        <translation>Moyenne sur les paires d&apos;évaluateurs ; 1 = concordance totale, 0 = aucune</translation>
    </message>
</context>
<context>
    <name>dl::PassionReader</name>
    <message>
        <source>PASSION dataset: non-commercial use only; attribution required; any attempt to re-identify the people shown is prohibited.</source>
        <translation>Jeu de données PASSION : usage non commercial uniquement ; attribution requise ; toute tentative de réidentification des personnes représentées est interdite.</translation>
    </message>
    <message>
        <source>%1 is not a folder.</source>
        <translation>%1 n&apos;est pas un dossier.</translation>
    </message>
    <message>
        <source>%1 has no label.csv: is it a PASSION dataset folder?</source>
        <translation>%1 n&apos;a pas de label.csv : est-ce un dossier de jeu de données PASSION ?</translation>
    </message>
    <message>
        <source>There is no images/ folder; only metadata was read.</source>
        <translation>Il n&apos;y a pas de dossier images/ ; seules les métadonnées ont été lues.</translation>
    </message>
    <message>
        <source>%1 does not follow the &lt;subject_id&gt;_&lt;n&gt; naming; skipped.</source>
        <translation>%1 ne suit pas le nommage &lt;subject_id&gt;_&lt;n&gt; ; ignoré.</translation>
    </message>
    <message>
        <source>label.csv line %1: empty subject_id; row skipped.</source>
        <translation>label.csv ligne %1 : subject_id vide ; ligne ignorée.</translation>
    </message>
    <message>
        <source>label.csv line %1: subject %2 appears again; only the first row is used.</source>
        <translation>label.csv ligne %1 : le sujet %2 réapparaît ; seule la première ligne est utilisée.</translation>
    </message>
    <message>
        <source>Subject %1: &apos;%2&apos; is not a Fitzpatrick type.</source>
        <translation>Sujet %1 : « %2 » n&apos;est pas un phototype de Fitzpatrick.</translation>
    </message>
    <message>
        <source>%1 subjects in label.csv have no images: %2</source>
        <translation>%1 sujets de label.csv n&apos;ont pas d&apos;images : %2</translation>
    </message>
    <message>
        <source>%1 images belong to subjects that label.csv does not list and were not imported: %2</source>
        <translation>%1 images appartiennent à des sujets que label.csv ne mentionne pas et n&apos;ont pas été importées : %2</translation>
    </message>
    <message>
        <source>PASSION_split.csv names %1 subjects that label.csv lacks: %2</source>
        <translation>PASSION_split.csv cite %1 sujets absents de label.csv : %2</translation>
    </message>
</context>
<context>
    <name>dl::PasswordDialog</name>
    <message>
        <source>Reset Password</source>
        <translation>Réinitialiser le mot de passe</translation>
    </message>
    <message>
        <source>A new password for &lt;b&gt;%1&lt;/b&gt;. Tell it to them in person; they sign in with it from now on.</source>
        <translation>Un nouveau mot de passe pour &lt;b&gt;%1&lt;/b&gt;. Communiquez-le en personne ; la personne se connecte désormais avec lui.</translation>
    </message>
    <message>
        <source>New &amp;password:</source>
        <translation>Nouveau mot de &amp;passe :</translation>
    </message>
    <message>
        <source>R&amp;epeat:</source>
        <translation>&amp;Répéter :</translation>
    </message>
    <message>
        <source>&amp;Set Password</source>
        <translation>&amp;Définir le mot de passe</translation>
    </message>
    <message>
        <source>At least %1 characters.</source>
        <translation>Au moins %1 caractères.</translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation>Les deux mots de passe diffèrent.</translation>
    </message>
</context>
<context>
    <name>dl::Permissions</name>
    <message>
        <source>The account %1 is disabled.</source>
        <translation>Le compte %1 est désactivé.</translation>
    </message>
    <message>
        <source>%1 (%2) is not allowed to do this.</source>
        <translation>%1 (%2) n&apos;est pas autorisé à faire cela.</translation>
    </message>
</context>
<context>
    <name>dl::PngValidator</name>
    <message>
        <source>The data is not a PNG image</source>
        <translation>Les données ne sont pas une image PNG</translation>
    </message>
    <message>
        <source>PNG data ends before the IEND chunk</source>
        <translation>Les données PNG se terminent avant le bloc IEND</translation>
    </message>
    <message>
        <source>PNG chunk structure is damaged at byte %1</source>
        <translation>La structure des blocs PNG est endommagée à l&apos;octet %1</translation>
    </message>
    <message>
        <source>PNG data ends inside the %1 chunk</source>
        <translation>Les données PNG se terminent dans le bloc %1</translation>
    </message>
    <message>
        <source>PNG chunk %1 at byte %2 has a bad CRC</source>
        <translation>Le bloc PNG %1 à l&apos;octet %2 a un CRC erroné</translation>
    </message>
    <message>
        <source>PNG header chunk is misplaced</source>
        <translation>Le bloc d&apos;en-tête PNG est mal placé</translation>
    </message>
    <message>
        <source>PNG file does not start with an IHDR chunk</source>
        <translation>Le fichier PNG ne commence pas par un bloc IHDR</translation>
    </message>
    <message>
        <source>PNG palette image has no palette</source>
        <translation>L&apos;image PNG à palette n&apos;a pas de palette</translation>
    </message>
    <message>
        <source>PNG image data does not start with a valid zlib header</source>
        <translation>Les données d&apos;image PNG ne commencent pas par un en-tête zlib valide</translation>
    </message>
    <message>
        <source>PNG file has no image data</source>
        <translation>Le fichier PNG n&apos;a pas de données d&apos;image</translation>
    </message>
</context>
<context>
    <name>dl::PolygonTool</name>
    <message>
        <source>A polygon needs at least three vertices.</source>
        <translation>Un polygone exige au moins trois sommets.</translation>
    </message>
</context>
<context>
    <name>dl::PostgresServer</name>
    <message>
        <source>Cannot reach the PostgreSQL server %1: %2. Check the host name and port, and that the server is running and accepts connections from this computer.</source>
        <translation>Impossible de joindre le serveur PostgreSQL %1 : %2. Vérifiez le nom d&apos;hôte et le port, et que le serveur fonctionne et accepte les connexions de cet ordinateur.</translation>
    </message>
    <message>
        <source>The PostgreSQL server %1 refused the password of %2 (wrong password, or no such role).</source>
        <translation>Le serveur PostgreSQL %1 a refusé le mot de passe de %2 (mot de passe erroné, ou rôle inexistant).</translation>
    </message>
    <message>
        <source>The PostgreSQL server %1 asks for the password of %2: give it in the URL (postgresql://user:password@host/database), in PGPASSWORD or in ~/.pgpass.</source>
        <translation>Le serveur PostgreSQL %1 demande le mot de passe de %2 : indiquez-le dans l&apos;URL (postgresql://user:password@host/database), dans PGPASSWORD ou dans ~/.pgpass.</translation>
    </message>
    <message>
        <source>There is no database %1 on %2.</source>
        <translation>Il n&apos;y a pas de base de données %1 sur %2.</translation>
    </message>
    <message>
        <source>The PostgreSQL server %1 does not let %2 connect to the database %3: %4</source>
        <translation>Le serveur PostgreSQL %1 ne permet pas à %2 de se connecter à la base de données %3 : %4</translation>
    </message>
    <message>
        <source>Cannot connect to the database %1 on %2: %3</source>
        <translation>Impossible de se connecter à la base de données %1 sur %2 : %3</translation>
    </message>
    <message>
        <source>Qt&apos;s PostgreSQL driver (QPSQL) is not installed: install the Debian package libqt6sql6-psql.</source>
        <translation>Le pilote PostgreSQL de Qt (QPSQL) n&apos;est pas installé : installez le paquet Debian libqt6sql6-psql.</translation>
    </message>
    <message>
        <source>The connection to the server was lost; the last change may not have been saved. DermLabel connects again for the next step: try again.</source>
        <translation>La connexion au serveur a été perdue ; la dernière modification n&apos;a peut-être pas été enregistrée. DermLabel se reconnecte pour l&apos;étape suivante : réessayez.</translation>
    </message>
    <message>
        <source>Cannot create the database %1: %2</source>
        <translation>Impossible de créer la base de données %1 : %2</translation>
    </message>
    <message>
        <source>There is no database %1 on %2, and the role %3 may not create one (it lacks the CREATEDB right). Ask the server&apos;s administrator to create the database with %3 as its owner, or to grant %3 CREATEDB.</source>
        <translation>Il n&apos;y a pas de base de données %1 sur %2, et le rôle %3 ne peut pas en créer (il n&apos;a pas le droit CREATEDB). Demandez à l&apos;administrateur du serveur de créer la base de données avec %3 comme propriétaire, ou d&apos;accorder CREATEDB à %3.</translation>
    </message>
    <message>
        <source>Cannot create the database %1 on %2: %3</source>
        <translation>Impossible de créer la base de données %1 sur %2 : %3</translation>
    </message>
</context>
<context>
    <name>dl::PreferencesDialog</name>
    <message>
        <source>Preferences</source>
        <translation>Préférences</translation>
    </message>
    <message>
        <source>Fit the image to the window</source>
        <translation>Ajuster l&apos;image à la fenêtre</translation>
    </message>
    <message>
        <source>Keep the zoom of the previous image</source>
        <translation>Garder le zoom de l&apos;image précédente</translation>
    </message>
    <message>
        <source>Actual size (100%)</source>
        <translation>Taille réelle (100 %)</translation>
    </message>
    <message>
        <source>&amp;Zoom on the next image:</source>
        <translation>&amp;Zoom sur l&apos;image suivante :</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>&amp;Langue :</translation>
    </message>
    <message>
        <source> images</source>
        <translation> images</translation>
    </message>
    <message>
        <source>How many of the next images are decoded in the background while you label. Each 12-megapixel photo takes about 48 MB of memory.</source>
        <translation>Nombre d&apos;images suivantes décodées en arrière-plan pendant l&apos;étiquetage. Chaque photo de 12 mégapixels occupe environ 48 Mo de mémoire.</translation>
    </message>
    <message>
        <source>&amp;Decode ahead:</source>
        <translation>&amp;Décodage anticipé :</translation>
    </message>
    <message>
        <source> MB</source>
        <translation> Mo</translation>
    </message>
    <message>
        <source>How much disk the images of team stores may take on this computer. They are downloaded from the server when needed; beyond this size the least recently used are removed (a 12-megapixel photo takes about 5 MB).</source>
        <translation>Espace disque que peuvent occuper les images des bases d&apos;équipe sur cet ordinateur. Elles sont téléchargées depuis le serveur au besoin ; au-delà de cette taille, les moins récemment utilisées sont supprimées (une photo de 12 mégapixels occupe environ 5 Mo).</translation>
    </message>
    <message>
        <source>Team store image &amp;cache:</source>
        <translation>&amp;Cache d&apos;images des bases d&apos;équipe :</translation>
    </message>
    <message>
        <source>&lt;b&gt;The new language applies when DermLabel is restarted.&lt;/b&gt;</source>
        <translation>&lt;b&gt;La nouvelle langue s&apos;applique au redémarrage de DermLabel.&lt;/b&gt;</translation>
    </message>
    <message>
        <source>A new language applies when DermLabel is restarted.</source>
        <translation>Une nouvelle langue s&apos;applique au redémarrage de DermLabel.</translation>
    </message>
</context>
<context>
    <name>dl::PyLiteral</name>
    <message>
        <source>a string</source>
        <translation>une chaîne</translation>
    </message>
    <message>
        <source>an integer</source>
        <translation>un entier</translation>
    </message>
    <message>
        <source>a float</source>
        <translation>un flottant</translation>
    </message>
    <message>
        <source>a boolean</source>
        <translation>un booléen</translation>
    </message>
    <message>
        <source>None</source>
        <translation>None</translation>
    </message>
    <message>
        <source>a list</source>
        <translation>une liste</translation>
    </message>
    <message>
        <source>a tuple</source>
        <translation>un tuple</translation>
    </message>
    <message>
        <source>a dict</source>
        <translation>un dict</translation>
    </message>
    <message>
        <source>character %1: %2</source>
        <translation>caractère %1 : %2</translation>
    </message>
    <message>
        <source>expected %1, found %2</source>
        <translation>%1 attendu, %2 trouvé</translation>
    </message>
    <message>
        <source>the end of the text</source>
        <translation>la fin du texte</translation>
    </message>
    <message>
        <source>a value</source>
        <translation>une valeur</translation>
    </message>
    <message>
        <source>nested more than %1 levels deep</source>
        <translation>imbriqué sur plus de %1 niveaux</translation>
    </message>
    <message>
        <source>a line break</source>
        <translation>un saut de ligne</translation>
    </message>
    <message>
        <source>or</source>
        <translation>ou</translation>
    </message>
    <message>
        <source>a dict key cannot be %1</source>
        <translation>une clé de dict ne peut pas être %1</translation>
    </message>
    <message>
        <source>string not closed (expected a closing %1)</source>
        <translation>chaîne non fermée (%1 fermant attendu)</translation>
    </message>
    <message>
        <source>string not closed (it ends with a backslash)</source>
        <translation>chaîne non fermée (elle se termine par une barre oblique inverse)</translation>
    </message>
    <message>
        <source>\%1 must be followed by %2 hexadecimal digits</source>
        <translation>\%1 doit être suivi de %2 chiffres hexadécimaux</translation>
    </message>
    <message>
        <source>\U escape beyond U+10FFFF</source>
        <translation>échappement \U au-delà de U+10FFFF</translation>
    </message>
    <message>
        <source>\N{...} escapes are not supported</source>
        <translation>les échappements \N{...} ne sont pas pris en charge</translation>
    </message>
    <message>
        <source>a number after &apos;%1&apos;</source>
        <translation>un nombre après « %1 »</translation>
    </message>
    <message>
        <source>malformed number</source>
        <translation>nombre mal formé</translation>
    </message>
    <message>
        <source>malformed number (exponent without digits)</source>
        <translation>nombre mal formé (exposant sans chiffres)</translation>
    </message>
    <message>
        <source>number out of range</source>
        <translation>nombre hors limites</translation>
    </message>
    <message>
        <source>integer out of range</source>
        <translation>entier hors limites</translation>
    </message>
    <message>
        <source>unexpected word &apos;%1&apos; (expected a value; text must be quoted)</source>
        <translation>mot inattendu « %1 » (une valeur est attendue ; le texte doit être entre guillemets)</translation>
    </message>
    <message>
        <source>character %1: expected %2, found %3</source>
        <translation>caractère %1 : %2 attendu, %3 trouvé</translation>
    </message>
    <message>
        <source>character %1: element %2 is %3, expected %4</source>
        <translation>caractère %1 : l&apos;élément %2 est %3, %4 attendu</translation>
    </message>
    <message>
        <source>a list of strings</source>
        <translation>une liste de chaînes</translation>
    </message>
    <message>
        <source>a list of numbers</source>
        <translation>une liste de nombres</translation>
    </message>
    <message>
        <source>a number</source>
        <translation>un nombre</translation>
    </message>
    <message>
        <source>a dict of numbers</source>
        <translation>un dict de nombres</translation>
    </message>
    <message>
        <source>character %1: key %2 is %3, expected a string</source>
        <translation>caractère %1 : la clé %2 est %3, une chaîne est attendue</translation>
    </message>
    <message>
        <source>character %1: the value of key %2 is %3, expected a number</source>
        <translation>caractère %1 : la valeur de la clé %2 est %3, un nombre est attendu</translation>
    </message>
</context>
<context>
    <name>dl::QaDashboard</name>
    <message>
        <source>Quality assurance · %1</source>
        <translation>Contrôle qualité · %1</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>&amp;Actualiser</translation>
    </message>
    <message>
        <source>Read the store again and recompute every statistic (F5)</source>
        <translation>Relire la base et recalculer toutes les statistiques (F5)</translation>
    </message>
    <message>
        <source>Images rated</source>
        <translation>Images évaluées</translation>
    </message>
    <message>
        <source>Fields agreed</source>
        <translation>Champs concordants</translation>
    </message>
    <message>
        <source>Fields to adjudicate</source>
        <translation>Champs à arbitrer</translation>
    </message>
    <message>
        <source>Fields adjudicated</source>
        <translation>Champs arbitrés</translation>
    </message>
    <message>
        <source>Diagnosis top-1 agreement</source>
        <translation>Concordance top-1 du diagnostic</translation>
    </message>
    <message>
        <source>Diagnosis top-3 overlap</source>
        <translation>Recouvrement top-3 du diagnostic</translation>
    </message>
    <message>
        <source>Share of rater pairs naming the same first condition, mean over images</source>
        <translation>Part des paires d&apos;évaluateurs nommant la même première affection, moyenne sur les images</translation>
    </message>
    <message>
        <source>Overlap of the raters&apos; up-to-three conditions, mean over images</source>
        <translation>Recouvrement des trois affections au plus citées par les évaluateurs, moyenne sur les images</translation>
    </message>
    <message>
        <source>&amp;Overview</source>
        <translation>&amp;Vue d&apos;ensemble</translation>
    </message>
    <message>
        <source>&amp;Plots</source>
        <translation>&amp;Graphiques</translation>
    </message>
    <message>
        <source>&amp;Disagreements</source>
        <translation>&amp;Désaccords</translation>
    </message>
    <message>
        <source>R&amp;aters</source>
        <translation>Éval&amp;uateurs</translation>
    </message>
    <message>
        <source>&amp;Faces</source>
        <translation>V&amp;isages</translation>
    </message>
    <message>
        <source>None</source>
        <translation>Aucun</translation>
    </message>
    <message>
        <source>Show alpha and the number of images per group next to the overall figures</source>
        <translation>Afficher l&apos;alpha et le nombre d&apos;images par groupe à côté des chiffres globaux</translation>
    </message>
    <message>
        <source>&amp;Stratify by:</source>
        <translation>&amp;Stratifier par :</translation>
    </message>
    <message>
        <source>&amp;Confidence intervals</source>
        <translation>Intervalles de &amp;confiance</translation>
    </message>
    <message>
        <source>Bootstrap 95% intervals of alpha and kappa (%1 replicates, seeded: the same store gives the same intervals)</source>
        <translation>Intervalles bootstrap à 95 % de l&apos;alpha et du kappa (%1 réplications, avec graine : la même base donne les mêmes intervalles)</translation>
    </message>
    <message>
        <source>Krippendorff&apos;s α:</source>
        <translation>α de Krippendorff :</translation>
    </message>
    <message>
        <source>&lt;b&gt;Differential diagnoses and regions&lt;/b&gt; (what the raters name and where they draw it)</source>
        <translation>&lt;b&gt;Diagnostics différentiels et régions&lt;/b&gt; (ce que les évaluateurs nomment et où ils le dessinent)</translation>
    </message>
    <message>
        <source>&lt;b&gt;Reference labels imported with datasets&lt;/b&gt; (items are cases; raters as given by the dataset)</source>
        <translation>&lt;b&gt;Étiquettes de référence importées avec les jeux de données&lt;/b&gt; (les éléments sont des cas ; évaluateurs tels que fournis par le jeu de données)</translation>
    </message>
    <message>
        <source>Show pe&amp;nding (raters still labelling)</source>
        <translation>Afficher les éléments en a&amp;ttente (évaluateurs encore en cours)</translation>
    </message>
    <message>
        <source>Enter or double-click opens the side-by-side review.</source>
        <translation>Enter ou double-clic ouvre l&apos;examen côte à côte.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Labels per day&lt;/b&gt; (by the day of each label&apos;s last change, UTC)</source>
        <translation>&lt;b&gt;Étiquettes par jour&lt;/b&gt; (selon le jour de la dernière modification de chaque étiquette, UTC)</translation>
    </message>
    <message>
        <source>&amp;Review Image</source>
        <translation>E&amp;xaminer l&apos;image</translation>
    </message>
    <message>
        <source>Confirm &amp;Face</source>
        <translation>Confirmer le visag&amp;e</translation>
    </message>
    <message>
        <source>A face shows: the image needs an identifying face region to be exported</source>
        <translation>Un visage apparaît : l&apos;image doit avoir une région identifiante « visage » pour être exportée</translation>
    </message>
    <message>
        <source>&amp;Not a Face</source>
        <translation>&amp;Pas un visage</translation>
    </message>
    <message>
        <source>The check was wrong: the flag no longer holds the image back</source>
        <translation>La détection s&apos;est trompée : le signalement ne retient plus l&apos;image</translation>
    </message>
    <message>
        <source>Run Face &amp;Check</source>
        <translation>&amp;Lancer la détection de visages</translation>
    </message>
    <message>
        <source>Look for frontal faces on every image (new images are checked on import)</source>
        <translation>Chercher des visages de face sur chaque image (les nouvelles images sont vérifiées à l&apos;importation)</translation>
    </message>
    <message>
        <source>The face check has flagged no image.</source>
        <translation>La détection de visages n&apos;a signalé aucune image.</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; of %2 flagged images still to review. An open flag holds the image back from export; a confirmed face needs an identifying face region, which the export covers.</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; des %2 images signalées restent à examiner. Un signalement ouvert retient l&apos;image à l&apos;exportation ; un visage confirmé exige une région identifiante « visage », que l&apos;exportation masque.</translation>
    </message>
    <message>
        <source>&amp;Faces (%1)</source>
        <translation>V&amp;isages (%1)</translation>
    </message>
    <message>
        <source>The face flag was not changed: %1</source>
        <translation>Le signalement de visage n&apos;a pas été modifié : %1</translation>
    </message>
    <message>
        <source>Stop Face &amp;Check</source>
        <translation>A&amp;rrêter la détection de visages</translation>
    </message>
    <message>
        <source>Checking images for faces…</source>
        <translation>Recherche de visages dans les images…</translation>
    </message>
    <message>
        <source>Checking images for faces: %1 of %2</source>
        <translation>Recherche de visages dans les images : %1 sur %2</translation>
    </message>
    <message>
        <source>The face check failed: %1</source>
        <translation>La détection de visages a échoué : %1</translation>
    </message>
    <message>
        <source>Reading ratings and bootstrapping…</source>
        <translation>Lecture des évaluations et bootstrap…</translation>
    </message>
    <message>
        <source>Reading ratings…</source>
        <translation>Lecture des évaluations…</translation>
    </message>
    <message>
        <source>Bootstrapping %1 replicates…</source>
        <translation>Bootstrap de %1 réplications…</translation>
    </message>
    <message>
        <source>The QA dashboard cannot be shown: %1</source>
        <translation>Le tableau de bord qualité ne peut pas être affiché : %1</translation>
    </message>
    <message>
        <source>Computing agreement by %1…</source>
        <translation>Calcul de la concordance par %1…</translation>
    </message>
    <message>
        <source>%1 on %2 images</source>
        <translation>%1 sur %2 images</translation>
    </message>
    <message>
        <source>Over %1 images with at least two differentials</source>
        <translation>Sur %1 images avec au moins deux diagnostics différentiels</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; fields to adjudicate on &lt;b&gt;%2&lt;/b&gt; images · %3 pending</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; champs à arbitrer sur &lt;b&gt;%2&lt;/b&gt; images · %3 en attente</translation>
    </message>
    <message>
        <source>&amp;Disagreements (%1)</source>
        <translation>&amp;Désaccords (%1)</translation>
    </message>
    <message>
        <source>No labels yet</source>
        <translation>Pas encore d&apos;étiquettes</translation>
    </message>
</context>
<context>
    <name>dl::QaDataSet</name>
    <message>
        <source>Fitzpatrick type</source>
        <translation>Phototype de Fitzpatrick</translation>
    </message>
    <message>
        <source>Monk skin tone</source>
        <translation>Teinte de peau de Monk</translation>
    </message>
    <message>
        <source>Age group</source>
        <translation>Tranche d&apos;âge</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>Sexe</translation>
    </message>
    <message>
        <source>Country</source>
        <translation>Pays</translation>
    </message>
    <message>
        <source>Body site</source>
        <translation>Localisation anatomique</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Source</translation>
    </message>
    <message>
        <source>Week</source>
        <translation>Semaine</translation>
    </message>
    <message>
        <source>The store could not be read.</source>
        <translation>La base n&apos;a pas pu être lue.</translation>
    </message>
</context>
<context>
    <name>dl::QaPlots</name>
    <message>
        <source>&amp;Field:</source>
        <translation>&amp;Champ :</translation>
    </message>
    <message>
        <source>Rater &amp;A:</source>
        <translation>Évaluateur &amp;A :</translation>
    </message>
    <message>
        <source>Rater &amp;B:</source>
        <translation>Évaluateur &amp;B :</translation>
    </message>
    <message>
        <source>Confusion of rater A and rater B</source>
        <translation>Confusion entre l&apos;évaluateur A et l&apos;évaluateur B</translation>
    </message>
    <message>
        <source>Labels given by each rater</source>
        <translation>Étiquettes données par chaque évaluateur</translation>
    </message>
    <message>
        <source>Agreement over time (week of the last label change)</source>
        <translation>Concordance dans le temps (semaine de la dernière modification d&apos;étiquette)</translation>
    </message>
    <message>
        <source>%1 (dataset)</source>
        <translation>%1 (jeu de données)</translation>
    </message>
    <message>
        <source>Choose two different raters.</source>
        <translation>Choisissez deux évaluateurs différents.</translation>
    </message>
    <message>
        <source>No images in common.</source>
        <translation>Aucune image en commun.</translation>
    </message>
    <message>
        <source>%1 images in common, %2 identical (%3%)</source>
        <translation>%1 images en commun, %2 identiques (%3 %)</translation>
    </message>
    <message>
        <source>Cohen&apos;s κ %1</source>
        <translation>κ de Cohen %1</translation>
    </message>
    <message>
        <source>quadratic κ %1</source>
        <translation>κ quadratique %1</translation>
    </message>
    <message>
        <source>No ratings</source>
        <translation>Aucune évaluation</translation>
    </message>
    <message>
        <source>Other (%1 labels)</source>
        <translation>Autres (%1 étiquettes)</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>mean %1</source>
        <translation>moyenne %1</translation>
    </message>
    <message>
        <source>Dataset labels have no time</source>
        <translation>Les étiquettes des jeux de données ne sont pas datées</translation>
    </message>
    <message>
        <source>No weeks with ratings</source>
        <translation>Aucune semaine avec des évaluations</translation>
    </message>
    <message>
        <source>Percent agreement</source>
        <translation>Concordance en pourcentage</translation>
    </message>
    <message>
        <source>Krippendorff&apos;s α</source>
        <translation>α de Krippendorff</translation>
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
        <translation>%1 (désactivé)</translation>
    </message>
    <message>
        <source>%1 of %2 answered fields equal the agreed or adjudicated consensus</source>
        <translation>%1 des %2 champs renseignés sont égaux au consensus concordant ou arbitré</translation>
    </message>
    <message>
        <source>Rank-1 diagnosis equal to the consensus diagnosis on %1 of %2 images</source>
        <translation>Diagnostic de rang 1 égal au diagnostic de consensus sur %1 des %2 images</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1 : %2</translation>
    </message>
    <message>
        <source>Rater</source>
        <translation>Évaluateur</translation>
    </message>
    <message>
        <source>Assigned</source>
        <translation>Attribuées</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Terminées</translation>
    </message>
    <message>
        <source>Skipped</source>
        <translation>Ignorées</translation>
    </message>
    <message>
        <source>Flagged</source>
        <translation>Signalées</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Ouvertes</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>Progression</translation>
    </message>
    <message>
        <source>Labels / day</source>
        <translation>Étiquettes / jour</translation>
    </message>
    <message>
        <source>Active days</source>
        <translation>Jours actifs</translation>
    </message>
    <message>
        <source>= consensus</source>
        <translation>= consensus</translation>
    </message>
    <message>
        <source>Top-1 = consensus</source>
        <translation>Top-1 = consensus</translation>
    </message>
    <message>
        <source>Assigned images not started or in progress</source>
        <translation>Images attribuées non commencées ou en cours</translation>
    </message>
    <message>
        <source>Done of assigned</source>
        <translation>Terminées sur attribuées</translation>
    </message>
    <message>
        <source>Labels per day on the days the rater labelled (by last change, UTC)</source>
        <translation>Étiquettes par jour, les jours où l&apos;évaluateur a étiqueté (selon la dernière modification, UTC)</translation>
    </message>
    <message>
        <source>Share of the rater&apos;s answers that equal the agreed or adjudicated consensus</source>
        <translation>Part des réponses de l&apos;évaluateur égales au consensus concordant ou arbitré</translation>
    </message>
    <message>
        <source>Share of images where the rater&apos;s rank-1 diagnosis is the consensus diagnosis</source>
        <translation>Part des images où le diagnostic de rang 1 de l&apos;évaluateur est le diagnostic de consensus</translation>
    </message>
</context>
<context>
    <name>dl::RatingsFile</name>
    <message>
        <source>%1: the header must be exactly &quot;item,rater,field,value&quot;, not &quot;%2&quot;.</source>
        <translation>%1 : l&apos;en-tête doit être exactement « item,rater,field,value », et non « %2 ».</translation>
    </message>
    <message>
        <source>%1, line %2: the item, rater and field must not be empty.</source>
        <translation>%1, ligne %2 : l&apos;élément, l&apos;évaluateur et le champ ne doivent pas être vides.</translation>
    </message>
    <message>
        <source>%1, line %2: rater &quot;%3&quot; already rated item &quot;%4&quot; for field &quot;%5&quot;.</source>
        <translation>%1, ligne %2 : l&apos;évaluateur « %3 » a déjà évalué l&apos;élément « %4 » pour le champ « %5 ».</translation>
    </message>
</context>
<context>
    <name>dl::Redactor</name>
    <message>
        <source>Redaction needs an 8-bit image with 1, 3 or 4 channels.</source>
        <translation>Le masquage exige une image 8 bits à 1, 3 ou 4 canaux.</translation>
    </message>
    <message>
        <source>The redaction region is %1 x %2 (type %3) but the image is %4 x %5.</source>
        <translation>La région de masquage fait %1 x %2 (type %3) mais l&apos;image fait %4 x %5.</translation>
    </message>
    <message>
        <source>Cannot redact a null image.</source>
        <translation>Impossible de masquer une image nulle.</translation>
    </message>
</context>
<context>
    <name>dl::ReferenceLabelAccess</name>
    <message>
        <source>Reference labels are hidden from raters (blinded).</source>
        <translation>Les étiquettes de référence sont cachées aux évaluateurs (en aveugle).</translation>
    </message>
    <message>
        <source>This image is not assigned to %1.</source>
        <translation>Cette image n&apos;est pas attribuée à %1.</translation>
    </message>
</context>
<context>
    <name>dl::ReleaseGate</name>
    <message>
        <source>Sensitive content</source>
        <translation>Contenu sensible</translation>
    </message>
    <message>
        <source>Identifying content without a region to redact</source>
        <translation>Contenu identifiant sans région à masquer</translation>
    </message>
    <message>
        <source>Possible face not yet reviewed</source>
        <translation>Visage possible pas encore examiné</translation>
    </message>
    <message>
        <source>Too few raters</source>
        <translation>Trop peu d&apos;évaluateurs</translation>
    </message>
    <message>
        <source>Quasi-identifiers shared by fewer than k records</source>
        <translation>Quasi-identifiants partagés par moins de k enregistrements</translation>
    </message>
</context>
<context>
    <name>dl::ReviewDialog</name>
    <message>
        <source>%1: %2</source>
        <translation>%1 : %2</translation>
    </message>
    <message>
        <source>%1 — %2 / %3: Dice %4, IoU %5</source>
        <translation>%1 — %2 / %3 : Dice %4, IoU %5</translation>
    </message>
    <message>
        <source>Majority of %1: %2</source>
        <translation>Majorité de %1 : %2</translation>
    </message>
    <message>
        <source>STAPLE: %1</source>
        <translation>STAPLE : %1</translation>
    </message>
    <message>
        <source>%1 sensitivity %2, specificity %3</source>
        <translation>%1 sensibilité %2, spécificité %3</translation>
    </message>
    <message>
        <source>%1 — STAPLE: %2</source>
        <translation>%1 — STAPLE : %2</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>Examen</translation>
    </message>
    <message>
        <source>Confirm &amp;Face</source>
        <translation>Confirmer le visag&amp;e</translation>
    </message>
    <message>
        <source>A face shows: the image needs an identifying face region to be exported</source>
        <translation>Un visage apparaît : l&apos;image doit avoir une région identifiante « visage » pour être exportée</translation>
    </message>
    <message>
        <source>&amp;Not a Face</source>
        <translation>&amp;Pas un visage</translation>
    </message>
    <message>
        <source>The check was wrong: the flag no longer holds the image back</source>
        <translation>La détection s&apos;est trompée : le signalement ne retient plus l&apos;image</translation>
    </message>
    <message>
        <source>&lt;b&gt;Masks&lt;/b&gt; (tick to show)</source>
        <translation>&lt;b&gt;Masques&lt;/b&gt; (cocher pour afficher)</translation>
    </message>
    <message>
        <source>Choose the value…</source>
        <translation>Choisissez la valeur…</translation>
    </message>
    <message>
        <source>Required: why this value (recorded in the audit log)</source>
        <translation>Obligatoire : pourquoi cette valeur (consigné dans le journal d&apos;audit)</translation>
    </message>
    <message>
        <source>&amp;Apply</source>
        <translation>&amp;Appliquer</translation>
    </message>
    <message>
        <source>Adjudicate</source>
        <translation>Arbitrer</translation>
    </message>
    <message>
        <source>&amp;Field:</source>
        <translation>&amp;Champ :</translation>
    </message>
    <message>
        <source>&amp;Value:</source>
        <translation>&amp;Valeur :</translation>
    </message>
    <message>
        <source>&amp;Reason:</source>
        <translation>&amp;Motif :</translation>
    </message>
    <message>
        <source>Only QA leads and admins settle disagreements.</source>
        <translation>Seuls les responsables qualité et les administrateurs tranchent les désaccords.</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Fermer</translation>
    </message>
    <message>
        <source>← Previous (PgUp)</source>
        <translation>← Précédent (PgUp)</translation>
    </message>
    <message>
        <source>Next (PgDown) →</source>
        <translation>Suivant (PgDown) →</translation>
    </message>
    <message>
        <source>No such image.</source>
        <translation>Image introuvable.</translation>
    </message>
    <message>
        <source>1 region</source>
        <translation>1 région</translation>
    </message>
    <message>
        <source>%1 regions</source>
        <translation>%1 régions</translation>
    </message>
    <message>
        <source>&lt;b&gt;Possible face&lt;/b&gt; found by the face check (%1, dashed on the image). Held back from export until confirmed or dismissed.</source>
        <translation>&lt;b&gt;Visage possible&lt;/b&gt; trouvé par la détection de visages (%1, en pointillés sur l&apos;image). Retenue à l&apos;exportation jusqu&apos;à confirmation ou rejet.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Face confirmed.&lt;/b&gt; The image is exported only with a face region marked as identifying (redacted).</source>
        <translation>&lt;b&gt;Visage confirmé.&lt;/b&gt; L&apos;image n&apos;est exportée qu&apos;avec une région de visage marquée comme identifiante (masquée).</translation>
    </message>
    <message>
        <source>&lt;b&gt;Face flag dismissed:&lt;/b&gt; no face on this image.</source>
        <translation>&lt;b&gt;Signalement de visage écarté :&lt;/b&gt; pas de visage sur cette image.</translation>
    </message>
    <message>
        <source>Loading the image…</source>
        <translation>Chargement de l&apos;image…</translation>
    </message>
    <message>
        <source>The image cannot be shown: %1</source>
        <translation>L&apos;image ne peut pas être affichée : %1</translation>
    </message>
    <message>
        <source>%1 × %2 pixels; wheel zooms, drag pans, F fits</source>
        <translation>%1 × %2 pixels ; la molette zoome, glisser déplace, F ajuste</translation>
    </message>
    <message>
        <source>No rater drew a mask on this image.</source>
        <translation>Aucun évaluateur n&apos;a dessiné de masque sur cette image.</translation>
    </message>
    <message>
        <source>%1 settled as %2.</source>
        <translation>%1 tranché : %2.</translation>
    </message>
    <message>
        <source>1 rater</source>
        <translation>1 évaluateur</translation>
    </message>
    <message>
        <source>%1 raters</source>
        <translation>%1 évaluateurs</translation>
    </message>
    <message>
        <source>nothing open</source>
        <translation>rien d&apos;ouvert</translation>
    </message>
    <message>
        <source>1 field open</source>
        <translation>1 champ ouvert</translation>
    </message>
    <message>
        <source>%1 fields open</source>
        <translation>%1 champs ouverts</translation>
    </message>
    <message>
        <source>disagreement %1 of %2 (Page Down: next, Page Up: previous)</source>
        <translation>désaccord %1 sur %2 (Page Down : suivant, Page Up : précédent)</translation>
    </message>
    <message>
        <source>not in the disagreement list</source>
        <translation>absent de la liste des désaccords</translation>
    </message>
    <message>
        <source>Review %1</source>
        <translation>Examen de %1</translation>
    </message>
</context>
<context>
    <name>dl::ReviewTableModel</name>
    <message>
        <source>Cannot determine</source>
        <translation>Impossible à déterminer</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>agreed</source>
        <translation>concordant</translation>
    </message>
    <message>
        <source>pending</source>
        <translation>en attente</translation>
    </message>
    <message>
        <source>to adjudicate</source>
        <translation>à arbitrer</translation>
    </message>
    <message>
        <source>adjudicated</source>
        <translation>arbitré</translation>
    </message>
    <message>
        <source>%1 %2%</source>
        <translation>%1 %2 %</translation>
    </message>
    <message>
        <source>— (not asked)</source>
        <translation>— (non demandé)</translation>
    </message>
    <message>
        <source>%1 · agreed %2/%3</source>
        <translation>%1 · concordant %2/%3</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <source>Differential (confidence)</source>
        <translation>Diagnostic différentiel (confiance)</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Note</translation>
    </message>
    <message>
        <source>Diagnosis, rank 1</source>
        <translation>Diagnostic, rang 1</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>Champ</translation>
    </message>
    <message>
        <source>Consensus</source>
        <translation>Consensus</translation>
    </message>
</context>
<context>
    <name>dl::Role</name>
    <message>
        <source>Dermatologist</source>
        <translation>Dermatologue</translation>
    </message>
    <message>
        <source>QA lead</source>
        <translation>Responsable qualité</translation>
    </message>
    <message>
        <source>Administrator</source>
        <translation>Administrateur</translation>
    </message>
</context>
<context>
    <name>dl::RowWriter</name>
    <message>
        <source>Cannot copy rows of %1: %2</source>
        <translation>Impossible de copier les lignes de %1 : %2</translation>
    </message>
</context>
<context>
    <name>dl::SchemaMigrator</name>
    <message>
        <source>This file is not a DermLabel store (it holds other tables).</source>
        <translation>Ce fichier n&apos;est pas une base DermLabel (il contient d&apos;autres tables).</translation>
    </message>
    <message>
        <source>This database is not a DermLabel store (it holds other tables).</source>
        <translation>Cette base de données n&apos;est pas une base DermLabel (elle contient d&apos;autres tables).</translation>
    </message>
    <message>
        <source>This store was written by a newer version of DermLabel (schema %1); this program understands schema %2 at most. Install the newer DermLabel to open it.</source>
        <translation>Cette base a été écrite par une version plus récente de DermLabel (schéma %1) ; ce programme comprend au plus le schéma %2. Installez la version plus récente de DermLabel pour l&apos;ouvrir.</translation>
    </message>
    <message>
        <source>Could not start the schema update: %1</source>
        <translation>Impossible de démarrer la mise à jour du schéma : %1</translation>
    </message>
    <message>
        <source>Schema update %1 failed: %2</source>
        <translation>La mise à jour %1 du schéma a échoué : %2</translation>
    </message>
    <message>
        <source>Schema update %1 (%2) failed: %3</source>
        <translation>La mise à jour %1 du schéma (%2) a échoué : %3</translation>
    </message>
    <message>
        <source>Schema update %1 could not be saved: %2</source>
        <translation>La mise à jour %1 du schéma n&apos;a pas pu être enregistrée : %2</translation>
    </message>
</context>
<context>
    <name>dl::ScinReader</name>
    <message>
        <source>%1 is not a folder.</source>
        <translation>%1 n&apos;est pas un dossier.</translation>
    </message>
    <message>
        <source>%1 has no scin_cases.csv: is it a SCIN dataset folder?</source>
        <translation>%1 n&apos;a pas de scin_cases.csv : est-ce un dossier de jeu de données SCIN ?</translation>
    </message>
    <message>
        <source>scin_cases.csv line %1: empty case_id; row skipped.</source>
        <translation>scin_cases.csv ligne %1 : case_id vide ; ligne ignorée.</translation>
    </message>
    <message>
        <source>scin_cases.csv line %1: case %2 appears again; only the first row is used.</source>
        <translation>scin_cases.csv ligne %1 : le cas %2 réapparaît ; seule la première ligne est utilisée.</translation>
    </message>
    <message>
        <source>scin_labels.csv has labels for %1 cases that scin_cases.csv does not list.</source>
        <translation>scin_labels.csv contient des étiquettes pour %1 cas que scin_cases.csv ne mentionne pas.</translation>
    </message>
</context>
<context>
    <name>dl::SessionService</name>
    <message>
        <source>A team store is named by a URL such as postgresql://server.example.org/dermlabel.</source>
        <translation>Une base d&apos;équipe est désignée par une URL telle que postgresql://server.example.org/dermlabel.</translation>
    </message>
    <message>
        <source>Enter your user name and password.</source>
        <translation>Saisissez votre nom d&apos;utilisateur et votre mot de passe.</translation>
    </message>
    <message>
        <source>The user name or password is wrong, or the account is disabled.</source>
        <translation>Le nom d&apos;utilisateur ou le mot de passe est erroné, ou le compte est désactivé.</translation>
    </message>
    <message>
        <source>This store has its administrator already: sign in instead.</source>
        <translation>Cette base a déjà son administrateur : connectez-vous plutôt.</translation>
    </message>
    <message numerus="yes">
        <source>Too many failed sign-ins with this name. Try again in %n second(s).</source>
        <translation>
            <numerusform>Trop de connexions échouées avec ce nom. Réessayez dans %n seconde.</numerusform>
            <numerusform>Trop de connexions échouées avec ce nom. Réessayez dans %n secondes.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>dl::ShortcutSheet</name>
    <message>
        <source>Keyboard Shortcuts</source>
        <translation>Raccourcis clavier</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>Touches</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Action</translation>
    </message>
    <message>
        <source> or </source>
        <translation> ou </translation>
    </message>
    <message>
        <source>Commands</source>
        <translation>Commandes</translation>
    </message>
    <message>
        <source>Label form (when it has the focus)</source>
        <translation>Formulaire d&apos;étiquetage (quand il a le focus)</translation>
    </message>
    <message>
        <source>Image (when it has the focus)</source>
        <translation>Image (quand elle a le focus)</translation>
    </message>
    <message>
        <source>+ / −, mouse wheel</source>
        <translation>+ / −, molette de la souris</translation>
    </message>
    <message>
        <source>Zoom in / out around the cursor</source>
        <translation>Zoom avant / arrière autour du curseur</translation>
    </message>
    <message>
        <source>0 or F</source>
        <translation>0 ou F</translation>
    </message>
    <message>
        <source>Fit the image to the window</source>
        <translation>Ajuster l&apos;image à la fenêtre</translation>
    </message>
    <message>
        <source>1</source>
        <translation>1</translation>
    </message>
    <message>
        <source>Actual size (100%)</source>
        <translation>Taille réelle (100 %)</translation>
    </message>
    <message>
        <source>Arrow keys, middle drag, Space+drag</source>
        <translation>Touches fléchées, glisser avec le bouton du milieu, Space+glisser</translation>
    </message>
    <message>
        <source>Pan (and left drag with the Pan tool, H)</source>
        <translation>Déplacer (et glisser avec le bouton gauche avec l&apos;outil Déplacer, H)</translation>
    </message>
    <message>
        <source>Mask tools (when the image has the focus)</source>
        <translation>Outils de masque (quand l&apos;image a le focus)</translation>
    </message>
</context>
<context>
    <name>dl::SignInDialog</name>
    <message>
        <source>Create the administrator account</source>
        <translation>Créer le compte administrateur</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Connexion</translation>
    </message>
    <message>
        <source>Sign in to the team store &lt;b&gt;%1&lt;/b&gt;. Your user name and password are checked by the server.</source>
        <translation>Connexion à la base d&apos;équipe &lt;b&gt;%1&lt;/b&gt;. Votre nom d&apos;utilisateur et votre mot de passe sont vérifiés par le serveur.</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; has no users yet. Create the administrator account: it imports images, adds raters and assigns work.</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; n&apos;a pas encore d&apos;utilisateurs. Créez le compte administrateur : il importe les images, ajoute les évaluateurs et répartit le travail.</translation>
    </message>
    <message>
        <source>Sign in to &lt;b&gt;%1&lt;/b&gt;.</source>
        <translation>Connexion à &lt;b&gt;%1&lt;/b&gt;.</translation>
    </message>
    <message>
        <source>&amp;User name:</source>
        <translation>Nom d&apos;&amp;utilisateur :</translation>
    </message>
    <message>
        <source>e.g. Dr. Ana Silva</source>
        <translation>p. ex. Dr Ana Silva</translation>
    </message>
    <message>
        <source>&amp;Full name:</source>
        <translation>Nom &amp;complet :</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>Mot de &amp;passe :</translation>
    </message>
    <message>
        <source>&amp;Repeat password:</source>
        <translation>&amp;Répéter le mot de passe :</translation>
    </message>
    <message>
        <source>Create and Sign In</source>
        <translation>Créer et se connecter</translation>
    </message>
    <message>
        <source>Sign In</source>
        <translation>Se connecter</translation>
    </message>
    <message>
        <source>The passwords do not match.</source>
        <translation>Les mots de passe ne correspondent pas.</translation>
    </message>
</context>
<context>
    <name>dl::Sql</name>
    <message>
        <source>Database error: %1</source>
        <translation>Erreur de base de données : %1</translation>
    </message>
    <message>
        <source>Database error: no id returned</source>
        <translation>Erreur de base de données : aucun identifiant renvoyé</translation>
    </message>
</context>
<context>
    <name>dl::SqlDialect</name>
    <message>
        <source>Could not configure the store (%1): %2</source>
        <translation>Impossible de configurer la base (%1) : %2</translation>
    </message>
    <message>
        <source>The PostgreSQL server is too old (version number %1); a team store needs PostgreSQL 10 or later.</source>
        <translation>Le serveur PostgreSQL est trop ancien (numéro de version %1) ; une base d&apos;équipe exige PostgreSQL 10 ou plus récent.</translation>
    </message>
    <message>
        <source>The PostgreSQL server has standard_conforming_strings off; a team store needs it on (the default).</source>
        <translation>Le serveur PostgreSQL a standard_conforming_strings désactivé ; une base d&apos;équipe exige qu&apos;il soit activé (valeur par défaut).</translation>
    </message>
    <message>
        <source>The store could not switch to write-ahead logging (journal mode is &apos;%1&apos;). Is it on a read-only or network drive?</source>
        <translation>La base n&apos;a pas pu passer en journalisation anticipée (le mode de journal est « %1 »). Se trouve-t-elle sur un lecteur en lecture seule ou réseau ?</translation>
    </message>
    <message>
        <source>Foreign key enforcement is not available.</source>
        <translation>L&apos;application des clés étrangères n&apos;est pas disponible.</translation>
    </message>
    <message>
        <source>index %1 is not valid (rebuild it with REINDEX)</source>
        <translation>l&apos;index %1 n&apos;est pas valide (reconstruisez-le avec REINDEX)</translation>
    </message>
    <message>
        <source>constraint %1 of %2 was never validated</source>
        <translation>la contrainte %1 de %2 n&apos;a jamais été validée</translation>
    </message>
</context>
<context>
    <name>dl::Store</name>
    <message>
        <source>Only a team store signs in to a server.</source>
        <translation>Seule une base d&apos;équipe se connecte à un serveur.</translation>
    </message>
    <message>
        <source>No store path given.</source>
        <translation>Aucun chemin de base indiqué.</translation>
    </message>
    <message>
        <source>%1 is a folder, not a store file.</source>
        <translation>%1 est un dossier, pas un fichier de base.</translation>
    </message>
    <message>
        <source>There is no store at %1.</source>
        <translation>Il n&apos;y a pas de base à %1.</translation>
    </message>
    <message>
        <source>%1 already exists.</source>
        <translation>%1 existe déjà.</translation>
    </message>
    <message>
        <source>Cannot create the folder %1.</source>
        <translation>Impossible de créer le dossier %1.</translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>Impossible de lire %1 : %2</translation>
    </message>
    <message>
        <source>%1 is not a DermLabel store.</source>
        <translation>%1 n&apos;est pas une base DermLabel.</translation>
    </message>
    <message>
        <source>%1 Create the store first (dermlabel-cli init --store URL).</source>
        <translation>%1 Créez d&apos;abord la base (dermlabel-cli init --store URL).</translation>
    </message>
    <message>
        <source>Cannot create the image folder %1.</source>
        <translation>Impossible de créer le dossier d&apos;images %1.</translation>
    </message>
    <message>
        <source>Cannot open the store %1: %2</source>
        <translation>Impossible d&apos;ouvrir la base %1 : %2</translation>
    </message>
    <message>
        <source>The database %1 already exists and is not empty.</source>
        <translation>La base de données %1 existe déjà et n&apos;est pas vide.</translation>
    </message>
    <message>
        <source>The store %1 is in use by another program (%2, process %3 on %4). Close it there first, then try again.</source>
        <translation>La base %1 est utilisée par un autre programme (%2, processus %3 sur %4). Fermez-la d&apos;abord là-bas, puis réessayez.</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>inconnu</translation>
    </message>
    <message>
        <source>this computer</source>
        <translation>cet ordinateur</translation>
    </message>
    <message>
        <source>Cannot create the lock file beside %1 (is the folder writable?).</source>
        <translation>Impossible de créer le fichier de verrou à côté de %1 (le dossier est-il accessible en écriture ?).</translation>
    </message>
</context>
<context>
    <name>dl::StoreBackup</name>
    <message>
        <source>A team store is backed up with &apos;dermlabel-cli migrate --from URL --to copy.dermlabel&apos;.</source>
        <translation>Une base d&apos;équipe se sauvegarde avec « dermlabel-cli migrate --from URL --to copy.dermlabel ».</translation>
    </message>
    <message>
        <source>%1 exists already: a backup never overwrites anything.</source>
        <translation>%1 existe déjà : une sauvegarde n&apos;écrase jamais rien.</translation>
    </message>
    <message>
        <source>The backup cannot be the store itself.</source>
        <translation>La sauvegarde ne peut pas être la base elle-même.</translation>
    </message>
    <message>
        <source>Cannot create the folder %1.</source>
        <translation>Impossible de créer le dossier %1.</translation>
    </message>
    <message>
        <source>Cannot read the backup %1: %2</source>
        <translation>Impossible de lire la sauvegarde %1 : %2</translation>
    </message>
    <message>
        <source>The backup was cancelled; nothing was kept.</source>
        <translation>La sauvegarde a été annulée ; rien n&apos;a été conservé.</translation>
    </message>
    <message>
        <source>Cannot copy the image file %1 to the backup.</source>
        <translation>Impossible de copier le fichier image %1 dans la sauvegarde.</translation>
    </message>
    <message>
        <source>The backup does not pass its check; nothing was kept.</source>
        <translation>La sauvegarde ne passe pas sa vérification ; rien n&apos;a été conservé.</translation>
    </message>
</context>
<context>
    <name>dl::StoreChangeListener</name>
    <message>
        <source>Cannot listen to the store&apos;s changes.</source>
        <translation>Impossible de suivre les modifications de la base.</translation>
    </message>
    <message>
        <source>The server does not deliver change notifications: %1</source>
        <translation>Le serveur ne transmet pas les notifications de modification : %1</translation>
    </message>
</context>
<context>
    <name>dl::StoreCopier</name>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>Impossible de lire %1 : %2</translation>
    </message>
    <message>
        <source>%1 is not a DermLabel store (it holds other tables).</source>
        <translation>%1 n&apos;est pas une base DermLabel (elle contient d&apos;autres tables).</translation>
    </message>
    <message>
        <source>The target %1 holds a store with schema version %2, the source has schema version %3. A copy needs both at the same version: bring the older one up to date with this program first (dermlabel-cli init --store ... for a team store, any command for a store file), or choose another target.</source>
        <translation>La cible %1 contient une base au schéma de version %2, la source a le schéma de version %3. Une copie exige la même version des deux côtés : mettez d&apos;abord la plus ancienne à jour avec ce programme (dermlabel-cli init --store ... pour une base d&apos;équipe, n&apos;importe quelle commande pour un fichier de base), ou choisissez une autre cible.</translation>
    </message>
    <message>
        <source>The target %1 must be opened as the store&apos;s owner: a superuser, or a role with CREATEROLE that owns the database (the role that runs &apos;dermlabel-cli init&apos;), because the copy creates the users&apos; login roles.</source>
        <translation>La cible %1 doit être ouverte en tant que propriétaire de la base : un superutilisateur, ou un rôle disposant de CREATEROLE et propriétaire de la base de données (le rôle qui exécute « dermlabel-cli init »), car la copie crée les rôles de connexion des utilisateurs.</translation>
    </message>
    <message>
        <source>The target %1 has schema version %2, the source %3.</source>
        <translation>La cible %1 a le schéma de version %2, la source %3.</translation>
    </message>
    <message>
        <source>The source has schema version %1, the target %2: a copy needs the same version.</source>
        <translation>La source a le schéma de version %1, la cible %2 : une copie exige la même version.</translation>
    </message>
    <message>
        <source>Cannot read the source store&apos;s secret, which keeps its pseudonyms: open it as the store&apos;s owner or an administrator.</source>
        <translation>Impossible de lire le secret de la base source, qui protège ses pseudonymes : ouvrez-la en tant que propriétaire de la base ou administrateur.</translation>
    </message>
    <message>
        <source>The target %1 holds another store (%2). A migration copies a store into a new or empty one, or completes an earlier copy of the same store; it never merges two stores. Choose another target, or remove that store first.</source>
        <translation>La cible %1 contient une autre base (%2). Une migration copie une base dans une base nouvelle ou vide, ou complète une copie antérieure de la même base ; elle ne fusionne jamais deux bases. Choisissez une autre cible, ou supprimez d&apos;abord cette base.</translation>
    </message>
    <message>
        <source>These user names cannot become server login roles (a team store needs lower-case letters, digits, &apos;.&apos;, &apos;_&apos; or &apos;-&apos;, starting with a letter): %1. Rename or remove them in the source first.</source>
        <translation>Ces noms d&apos;utilisateur ne peuvent pas devenir des rôles de connexion du serveur (une base d&apos;équipe exige des lettres minuscules, des chiffres, « . », « _ » ou « - », en commençant par une lettre) : %1. Renommez-les ou supprimez-les d&apos;abord dans la source.</translation>
    </message>
    <message>
        <source>Cannot read the source store: %1</source>
        <translation>Impossible de lire la base source : %1</translation>
    </message>
    <message>
        <source>Cannot write to the target store: %1</source>
        <translation>Impossible d&apos;écrire dans la base cible : %1</translation>
    </message>
    <message>
        <source>Cannot prepare the target: %1</source>
        <translation>Impossible de préparer la cible : %1</translation>
    </message>
    <message>
        <source>The table %1 has other columns in the target than in the source.</source>
        <translation>La table %1 n&apos;a pas les mêmes colonnes dans la cible que dans la source.</translation>
    </message>
    <message>
        <source>Cannot give the user %1 a login role: %2</source>
        <translation>Impossible de donner un rôle de connexion à l&apos;utilisateur %1 : %2</translation>
    </message>
    <message>
        <source>Cannot advance the ids of %1: %2</source>
        <translation>Impossible d&apos;avancer les identifiants de %1 : %2</translation>
    </message>
    <message>
        <source>The copy does not match the source in %1; nothing was written.</source>
        <translation>La copie ne correspond pas à la source pour %1 ; rien n&apos;a été écrit.</translation>
    </message>
    <message>
        <source>The target is an earlier copy of this store, and rows of %1 have changed since: they differ from the source, and a migration never overwrites rows. Nothing was written; remove the target and migrate again for a fresh copy.</source>
        <translation>La cible est une copie antérieure de cette base, et des lignes de %1 ont changé depuis : elles diffèrent de la source, et une migration n&apos;écrase jamais de lignes. Rien n&apos;a été écrit ; supprimez la cible et migrez de nouveau pour obtenir une copie neuve.</translation>
    </message>
    <message>
        <source>Cannot save the copy: %1</source>
        <translation>Impossible d&apos;enregistrer la copie : %1</translation>
    </message>
</context>
<context>
    <name>dl::StoreInspector</name>
    <message>
        <source>The store is being written by another program: close it first.</source>
        <translation>La base est en cours d&apos;écriture par un autre programme : fermez-le d&apos;abord.</translation>
    </message>
    <message>
        <source>%1: not in the image folder</source>
        <translation>%1 : pas dans le dossier d&apos;images</translation>
    </message>
</context>
<context>
    <name>dl::StoreLocation</name>
    <message>
        <source>No store given.</source>
        <translation>Aucune base indiquée.</translation>
    </message>
    <message>
        <source>%1 is neither a store file nor a postgresql:// URL.</source>
        <translation>%1 n&apos;est ni un fichier de base ni une URL postgresql://.</translation>
    </message>
    <message>
        <source>%1 is not a valid URL: write postgresql://user@host:port/database.</source>
        <translation>%1 n&apos;est pas une URL valide : écrivez postgresql://user@host:port/database.</translation>
    </message>
    <message>
        <source>%1: a store URL has no #fragment.</source>
        <translation>%1 : une URL de base n&apos;a pas de #fragment.</translation>
    </message>
    <message>
        <source>%1: the port must be between 1 and 65535.</source>
        <translation>%1 : le port doit être compris entre 1 et 65535.</translation>
    </message>
    <message>
        <source>%1 names no database: write postgresql://host/database.</source>
        <translation>%1 ne désigne aucune base de données : écrivez postgresql://host/database.</translation>
    </message>
    <message>
        <source>%1: the database name must not contain &apos;/&apos;.</source>
        <translation>%1 : le nom de la base de données ne doit pas contenir « / ».</translation>
    </message>
    <message>
        <source>%1: the option %2 is given twice.</source>
        <translation>%1 : l&apos;option %2 est indiquée deux fois.</translation>
    </message>
    <message>
        <source>%1: the option %2 needs a value without &apos;;&apos;.</source>
        <translation>%1 : l&apos;option %2 exige une valeur sans « ; ».</translation>
    </message>
    <message>
        <source>%1: sslmode must be one of %2.</source>
        <translation>%1 : sslmode doit être l&apos;un de %2.</translation>
    </message>
    <message>
        <source>%1: connect_timeout must be a number of seconds.</source>
        <translation>%1 : connect_timeout doit être un nombre de secondes.</translation>
    </message>
    <message>
        <source>%1: unknown option %2 (DermLabel understands sslmode, sslrootcert, connect_timeout and application_name).</source>
        <translation>%1 : option inconnue %2 (DermLabel comprend sslmode, sslrootcert, connect_timeout et application_name).</translation>
    </message>
</context>
<context>
    <name>dl::SuperpixelTool</name>
    <message>
        <source>Preparing superpixels…</source>
        <translation>Préparation des superpixels…</translation>
    </message>
    <message>
        <source>The superpixels are still being prepared.</source>
        <translation>Les superpixels sont encore en préparation.</translation>
    </message>
    <message numerus="yes">
        <source>Superpixels ready: %n region(s).</source>
        <translation>
            <numerusform>Superpixels prêts : %n région.</numerusform>
            <numerusform>Superpixels prêts : %n régions.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>dl::Taxonomy</name>
    <message numerus="yes">
        <source>... and %n more problem(s)</source>
        <translation>
            <numerusform>... et %n autre problème</numerusform>
            <numerusform>... et %n autres problèmes</numerusform>
        </translation>
    </message>
    <message>
        <source>synonym &quot;%1&quot; contains &apos;|&apos;, which separates synonyms</source>
        <translation>le synonyme « %1 » contient « | », qui sépare les synonymes</translation>
    </message>
    <message>
        <source>synonym &quot;%1&quot; has no letters or digits</source>
        <translation>le synonyme « %1 » ne contient ni lettre ni chiffre</translation>
    </message>
    <message>
        <source>the id is empty</source>
        <translation>l&apos;identifiant est vide</translation>
    </message>
    <message>
        <source>id &quot;%1&quot; may only contain lowercase letters a-z, digits and &apos;_&apos;</source>
        <translation>l&apos;identifiant « %1 » ne peut contenir que des lettres minuscules a-z, des chiffres et « _ »</translation>
    </message>
    <message>
        <source>duplicate id &quot;%1&quot; (first used on %2)</source>
        <translation>identifiant « %1 » en double (déjà utilisé à %2)</translation>
    </message>
    <message>
        <source>condition &quot;%1&quot; has no name</source>
        <translation>l&apos;affection « %1 » n&apos;a pas de nom</translation>
    </message>
    <message>
        <source>name &quot;%1&quot; has no letters or digits</source>
        <translation>le nom « %1 » ne contient ni lettre ni chiffre</translation>
    </message>
    <message>
        <source>name &quot;%1&quot; is already the name of &quot;%2&quot; (%3); names must differ in more than case, accents or punctuation</source>
        <translation>le nom « %1 » est déjà celui de « %2 » (%3) ; les noms doivent différer par plus que la casse, les accents ou la ponctuation</translation>
    </message>
    <message>
        <source>parent &quot;%1&quot; of &quot;%2&quot; is not a condition id</source>
        <translation>le parent « %1 » de « %2 » n&apos;est pas un identifiant d&apos;affection</translation>
    </message>
    <message>
        <source>parents form a cycle: %1</source>
        <translation>les parents forment un cycle : %1</translation>
    </message>
    <message>
        <source>synonym &quot;%1&quot; of &quot;%2&quot; is the name of &quot;%3&quot; (%4); that name maps to &quot;%3&quot;</source>
        <translation>le synonyme « %1 » de « %2 » est le nom de « %3 » (%4) ; ce nom renvoie à « %3 »</translation>
    </message>
    <message>
        <source>synonym &quot;%1&quot; of &quot;%2&quot; is also a synonym of &quot;%3&quot; (%4); it maps to &quot;%3&quot;</source>
        <translation>le synonyme « %1 » de « %2 » est aussi un synonyme de « %3 » (%4) ; il renvoie à « %3 »</translation>
    </message>
    <message>
        <source>entry %1</source>
        <translation>entrée %1</translation>
    </message>
    <message>
        <source>entry %1 (%2)</source>
        <translation>entrée %1 (%2)</translation>
    </message>
    <message>
        <source>taxonomy CSV</source>
        <translation>CSV de taxonomie</translation>
    </message>
    <message>
        <source>line %1</source>
        <translation>ligne %1</translation>
    </message>
    <message>
        <source>%1: cannot open the file: %2</source>
        <translation>%1 : impossible d&apos;ouvrir le fichier : %2</translation>
    </message>
    <message>
        <source>%1: cannot read the file: %2</source>
        <translation>%1 : impossible de lire le fichier : %2</translation>
    </message>
</context>
<context>
    <name>dl::TaxonomyCsv</name>
    <message>
        <source>%1: the file has a header but no conditions</source>
        <translation>%1 : le fichier a un en-tête mais aucune affection</translation>
    </message>
    <message>
        <source>%1: column &quot;%2&quot; is not used and was ignored</source>
        <translation>%1 : la colonne « %2 » n&apos;est pas utilisée et a été ignorée</translation>
    </message>
</context>
<context>
    <name>dl::TeamSecurity</name>
    <message>
        <source>The team store&apos;s security rules are missing from this program.</source>
        <translation>Les règles de sécurité de la base d&apos;équipe manquent dans ce programme.</translation>
    </message>
    <message>
        <source>Only the store&apos;s owner (a superuser, or a role with CREATEROLE that owns the database) may set up who may see what on a team store.</source>
        <translation>Seul le propriétaire de la base (un superutilisateur, ou un rôle disposant de CREATEROLE et propriétaire de la base de données) peut définir qui peut voir quoi dans une base d&apos;équipe.</translation>
    </message>
    <message>
        <source>Database error: %1</source>
        <translation>Erreur de base de données : %1</translation>
    </message>
    <message>
        <source>Cannot set up the team store&apos;s security: %1</source>
        <translation>Impossible de configurer la sécurité de la base d&apos;équipe : %1</translation>
    </message>
    <message>
        <source>The team store&apos;s schema is older than this program. An administrator must upgrade it first, connected as the store&apos;s owner: dermlabel-cli init --store URL</source>
        <translation>Le schéma de la base d&apos;équipe est plus ancien que ce programme. Un administrateur doit d&apos;abord le mettre à niveau, connecté en tant que propriétaire de la base : dermlabel-cli init --store URL</translation>
    </message>
    <message>
        <source>There is no such user.</source>
        <translation>Cet utilisateur n&apos;existe pas.</translation>
    </message>
</context>
<context>
    <name>dl::TeamStoreDialog</name>
    <message>
        <source>Open Team Store</source>
        <translation>Ouvrir une base d&apos;équipe</translation>
    </message>
    <message>
        <source>A team store lives on a PostgreSQL server that your team&apos;s administrator set up. Enter the address they gave you; you sign in next.</source>
        <translation>Une base d&apos;équipe se trouve sur un serveur PostgreSQL mis en place par l&apos;administrateur de votre équipe. Saisissez l&apos;adresse qu&apos;il vous a donnée ; vous vous connecterez ensuite.</translation>
    </message>
    <message>
        <source>&amp;Address:</source>
        <translation>&amp;Adresse :</translation>
    </message>
    <message>
        <source>The connection is encrypted whenever the server offers it. To also check the server&apos;s certificate, end the address with &lt;tt style=&quot;white-space: nowrap&quot;&gt;?sslmode=verify-full&lt;/tt&gt;.</source>
        <translation>La connexion est chiffrée chaque fois que le serveur le propose. Pour vérifier aussi le certificat du serveur, terminez l&apos;adresse par &lt;tt style=&quot;white-space: nowrap&quot;&gt;?sslmode=verify-full&lt;/tt&gt;.</translation>
    </message>
    <message>
        <source>Continue</source>
        <translation>Continuer</translation>
    </message>
</context>
<context>
    <name>dl::ThumbnailMaker</name>
    <message>
        <source>The image header given does not match the image data</source>
        <translation>L&apos;en-tête d&apos;image fourni ne correspond pas aux données de l&apos;image</translation>
    </message>
    <message>
        <source>The thumbnail could not be encoded</source>
        <translation>La vignette n&apos;a pas pu être encodée</translation>
    </message>
</context>
<context>
    <name>dl::Transaction</name>
    <message>
        <source>The store is busy: another program keeps writing to it. Try again in a moment.</source>
        <translation>La base est occupée : un autre programme ne cesse d&apos;y écrire. Réessayez dans un instant.</translation>
    </message>
</context>
<context>
    <name>dl::UserRepository</name>
    <message>
        <source>&apos;%1&apos; is not a valid user name: use 1 to 64 letters, digits, &apos;.&apos;, &apos;_&apos; or &apos;-&apos;.</source>
        <translation>« %1 » n&apos;est pas un nom d&apos;utilisateur valide : utilisez de 1 à 64 lettres, chiffres, « . », « _ » ou « - ».</translation>
    </message>
    <message>
        <source>The password must have at least %1 characters.</source>
        <translation>Le mot de passe doit comporter au moins %1 caractères.</translation>
    </message>
    <message>
        <source>There is already a user named &apos;%1&apos;.</source>
        <translation>Il existe déjà un utilisateur nommé « %1 ».</translation>
    </message>
</context>
<context>
    <name>dl::UserService</name>
    <message numerus="yes">
        <source>The password must have at least %n character(s).</source>
        <translation>
            <numerusform>Le mot de passe doit comporter au moins %n caractère.</numerusform>
            <numerusform>Le mot de passe doit comporter au moins %n caractères.</numerusform>
        </translation>
    </message>
    <message>
        <source>The signed-in user %1 is not in this store.</source>
        <translation>L&apos;utilisateur connecté %1 n&apos;est pas dans cette base.</translation>
    </message>
    <message>
        <source>There is no such user.</source>
        <translation>Cet utilisateur n&apos;existe pas.</translation>
    </message>
    <message>
        <source>%1 is the last active administrator. Make another user an administrator first.</source>
        <translation>%1 est le dernier administrateur actif. Nommez d&apos;abord un autre utilisateur administrateur.</translation>
    </message>
    <message>
        <source>%1 is already disabled.</source>
        <translation>%1 est déjà désactivé.</translation>
    </message>
</context>
<context>
    <name>dl::UserTableModel</name>
    <message>
        <source>active</source>
        <translation>actif</translation>
    </message>
    <message>
        <source>disabled</source>
        <translation>désactivé</translation>
    </message>
    <message>
        <source>%1 assigned, %2 done, %3 to do</source>
        <translation>%1 attribuées, %2 terminées, %3 à faire</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <source>Display name</source>
        <translation>Nom affiché</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rôle</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Actif</translation>
    </message>
    <message>
        <source>Assigned</source>
        <translation>Attribuées</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Terminées</translation>
    </message>
</context>
<context>
    <name>dl::UsersDialog</name>
    <message>
        <source>Users</source>
        <translation>Utilisateurs</translation>
    </message>
    <message>
        <source>&amp;Add…</source>
        <translation>&amp;Ajouter…</translation>
    </message>
    <message>
        <source>Add a dermatologist, QA lead or administrator (Ctrl+N)</source>
        <translation>Ajouter un dermatologue, un responsable qualité ou un administrateur (Ctrl+N)</translation>
    </message>
    <message>
        <source>Reset &amp;Password…</source>
        <translation>Réinitialiser le mot de &amp;passe…</translation>
    </message>
    <message>
        <source>Give the selected user a new password</source>
        <translation>Donner un nouveau mot de passe à l&apos;utilisateur sélectionné</translation>
    </message>
    <message>
        <source>&amp;Disable</source>
        <translation>&amp;Désactiver</translation>
    </message>
    <message>
        <source>Disable the selected account; unfinished work goes to other dermatologists</source>
        <translation>Désactiver le compte sélectionné ; le travail inachevé va à d&apos;autres dermatologues</translation>
    </message>
    <message>
        <source>&amp;Role</source>
        <translation>&amp;Rôle</translation>
    </message>
    <message>
        <source>Change the selected user&apos;s role</source>
        <translation>Changer le rôle de l&apos;utilisateur sélectionné</translation>
    </message>
    <message>
        <source>&amp;Enable</source>
        <translation>Ac&amp;tiver</translation>
    </message>
    <message>
        <source>Let the selected user sign in again</source>
        <translation>Permettre à l&apos;utilisateur sélectionné de se connecter de nouveau</translation>
    </message>
    <message>
        <source>Added %1 (%2).</source>
        <translation>%1 ajouté (%2).</translation>
    </message>
    <message>
        <source>The password of %1 was changed.</source>
        <translation>Le mot de passe de %1 a été modifié.</translation>
    </message>
    <message>
        <source>%1 can sign in again. Use Admin › Assign Images to give them new work.</source>
        <translation>%1 peut de nouveau se connecter. Utilisez Administration › Attribuer des images pour lui confier du travail.</translation>
    </message>
    <message>
        <source>%1 is disabled.</source>
        <translation>%1 est désactivé.</translation>
    </message>
    <message>
        <source>Unstarted images moved to other dermatologists: %1; new assignments: %2.</source>
        <translation>Images non commencées déplacées vers d&apos;autres dermatologues : %1 ; nouvelles attributions : %2.</translation>
    </message>
    <message>
        <source>Images with fewer raters than wanted: %1 (add or enable dermatologists).</source>
        <translation>Images ayant moins d&apos;évaluateurs que voulu : %1 (ajoutez ou activez des dermatologues).</translation>
    </message>
    <message>
        <source>%1 is now %2.</source>
        <translation>%1 est maintenant %2.</translation>
    </message>
    <message>
        <source>Unstarted images moved to other dermatologists: %1.</source>
        <translation>Images non commencées déplacées vers d&apos;autres dermatologues : %1.</translation>
    </message>
    <message>
        <source>Disable User</source>
        <translation>Désactiver l&apos;utilisateur</translation>
    </message>
    <message>
        <source>Disable %1 (%2)?</source>
        <translation>Désactiver %1 (%2) ?</translation>
    </message>
    <message>
        <source>They can no longer sign in. Images they have not finished (%1) go to other dermatologists, so that every image keeps its number of raters; the labels they finished (%2) are kept.</source>
        <translation>Cette personne ne pourra plus se connecter. Les images qu&apos;elle n&apos;a pas terminées (%1) vont à d&apos;autres dermatologues, afin que chaque image garde son nombre d&apos;évaluateurs ; les étiquettes qu&apos;elle a terminées (%2) sont conservées.</translation>
    </message>
    <message>
        <source>They can no longer sign in.</source>
        <translation>Cette personne ne pourra plus se connecter.</translation>
    </message>
</context>
<context>
    <name>dl::ValueText</name>
    <message>
        <source>Not gradable</source>
        <translation>Non évaluable</translation>
    </message>
    <message>
        <source>Cannot determine</source>
        <translation>Impossible à déterminer</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>Oui</translation>
    </message>
    <message>
        <source>No</source>
        <translation>Non</translation>
    </message>
    <message>
        <source>Unsure</source>
        <translation>Incertain</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>DermLabel: annotation workstation for de-identified dermatology images.</source>
        <translation>DermLabel : poste d&apos;annotation pour images dermatologiques anonymisées.</translation>
    </message>
    <message>
        <source>Open this store.</source>
        <translation>Ouvrir cette base.</translation>
    </message>
    <message>
        <source>PATH</source>
        <translation>CHEMIN</translation>
    </message>
</context>
</TS>
