// SPDX-License-Identifier: GPL-3.0-or-later
#include "import/PassionReader.h"

#include "import/DatasetPaths.h"
#include "import/FolderScanner.h"
#include "text/CsvReader.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QMap>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace dl {

static QString tr(const char *text)
{
    return QCoreApplication::translate("dl::PassionReader", text);
}

QString PassionReader::defaultLicence()
{
    return tr("PASSION dataset: non-commercial use only; attribution required; any attempt to re-identify "
              "the people shown is prohibited.");
}

static QString listForMessage(QStringList names)
{
    names.sort();
    if (names.size() > 10)
        return names.mid(0, 10).join(u", "_s) + tr(" and %1 more").arg(names.size() - 10);
    return names.join(u", "_s);
}

std::optional<ImportPlan> PassionReader::read(const QString &root, QString *error)
{
    const QFileInfo rootInfo(root);
    if (!rootInfo.isDir()) {
        *error = tr("%1 is not a folder.").arg(QDir::toNativeSeparators(root));
        return std::nullopt;
    }
    ImportPlan plan;
    plan.kind = u"passion"_s;
    plan.rootPath = rootInfo.canonicalFilePath();
    plan.name = rootInfo.fileName();
    plan.licence = DatasetPaths::readLicenceFile(plan.rootPath);
    if (plan.licence.isEmpty())
        plan.licence = defaultLicence();
    const QDir dir(plan.rootPath);

    const QString labelPath = dir.filePath(u"label.csv"_s);
    if (!QFileInfo::exists(labelPath)) {
        *error = tr("%1 has no label.csv: is it a PASSION dataset folder?").arg(QDir::toNativeSeparators(root));
        return std::nullopt;
    }
    auto labels = CsvReader::readFile(labelPath, error);
    if (!labels)
        return std::nullopt;
    if (!CsvReader::requireColumns(*labels,
                                   {u"subject_id"_s, u"country"_s, u"age"_s, u"sex"_s, u"fitzpatrick"_s,
                                    u"body_loc"_s, u"impetig"_s, u"conditions_PASSION"_s},
                                   u"label.csv"_s, error))
        return std::nullopt;

    QHash<QString, QString> splits;
    const QString splitPath = dir.filePath(u"PASSION_split.csv"_s);
    if (QFileInfo::exists(splitPath)) {
        auto split = CsvReader::readFile(splitPath, error);
        if (!split)
            return std::nullopt;
        if (!CsvReader::requireColumns(*split, {u"subject_id"_s, u"Split"_s}, u"PASSION_split.csv"_s, error))
            return std::nullopt;
        for (qsizetype r = 0; r < split->rows.size(); ++r)
            splits.insert(split->value(r, u"subject_id").trimmed(), split->value(r, u"Split").trimmed().toLower());
    }

    // Images: <subject_id>_<n>.<ext>, anywhere under images/.
    QMap<QString, QList<PlannedImage>> imagesBySubject;
    const QString imagesDir = dir.filePath(u"images"_s);
    if (!QFileInfo(imagesDir).isDir()) {
        plan.warnings.append(tr("There is no images/ folder; only metadata was read."));
    } else {
        static const QRegularExpression namePattern(u"^(.+)_(\\d+)$"_s);
        FolderScanner::Result scan = FolderScanner::scan(imagesDir);
        plan.rejected.append(scan.rejected);
        plan.ignoredFiles = scan.ignored;
        for (PlannedImage image : std::as_const(scan.images)) {
            image.relativePath = dir.relativeFilePath(image.absolutePath);
            const QRegularExpressionMatch match = namePattern.match(QFileInfo(image.absolutePath).completeBaseName());
            if (!match.hasMatch()) {
                plan.warnings.append(tr("%1 does not follow the <subject_id>_<n> naming; skipped.").arg(image.relativePath));
                continue;
            }
            image.position = match.captured(2).toInt();
            imagesBySubject[match.captured(1)].append(image);
        }
    }

    QHash<QString, bool> subjects;
    QStringList withoutImages;
    for (qsizetype r = 0; r < labels->rows.size(); ++r) {
        const QString subject = labels->value(r, u"subject_id").trimmed();
        if (subject.isEmpty()) {
            plan.warnings.append(tr("label.csv line %1: empty subject_id; row skipped.").arg(labels->rowLines.at(r)));
            continue;
        }
        if (subjects.contains(subject)) {
            plan.warnings.append(tr("label.csv line %1: subject %2 appears again; only the first row is used.")
                                     .arg(labels->rowLines.at(r))
                                     .arg(subject));
            continue;
        }
        subjects.insert(subject, true);

        PlannedCase planned;
        planned.sourceCaseId = subject;
        for (qsizetype c = 0; c < labels->header.size(); ++c) {
            const QString &v = labels->rows.at(r).at(c);
            if (!v.isEmpty())
                planned.attributes.append({labels->header.at(c), v});
        }
        CaseMetadata &m = planned.metadata;
        m.country = labels->value(r, u"country").trimmed();
        bool ageOk = false;
        const double age = labels->value(r, u"age").trimmed().toDouble(&ageOk);
        if (ageOk && age >= 0 && age < 130) {
            m.ageYears = int(age);
            m.ageGroup = DatasetPaths::ageGroupForYears(int(age));
        } else {
            m.ageGroup = u"AGE_UNKNOWN"_s;
        }
        m.sex = DatasetPaths::normaliseSex(labels->value(r, u"sex"));
        for (const QString &site : labels->value(r, u"body_loc").split(u';', Qt::SkipEmptyParts)) {
            if (!site.trimmed().isEmpty())
                m.bodySites.append(site.trimmed());
        }
        m.licenceTag = u"PASSION"_s;
        m.split = splits.value(subject);

        const QString fitzpatrick = DatasetPaths::normaliseScale(labels->value(r, u"fitzpatrick"), 1, 6);
        if (!fitzpatrick.isEmpty())
            planned.labels.append({{}, u"fitzpatrick"_s, fitzpatrick});
        else if (!labels->value(r, u"fitzpatrick").trimmed().isEmpty())
            plan.warnings.append(tr("Subject %1: '%2' is not a Fitzpatrick type.").arg(subject, labels->value(r, u"fitzpatrick")));
        const QString impetigo = DatasetPaths::normaliseBoolean(labels->value(r, u"impetig"));
        if (!impetigo.isEmpty())
            planned.labels.append({{}, u"impetigo"_s, impetigo});
        const QString condition = labels->value(r, u"conditions_PASSION").trimmed();
        if (!condition.isEmpty())
            planned.labels.append({{}, u"condition"_s, condition});

        planned.images = imagesBySubject.take(subject);
        std::sort(planned.images.begin(), planned.images.end(),
                  [](const PlannedImage &a, const PlannedImage &b) { return a.position < b.position; });
        if (planned.images.isEmpty())
            withoutImages.append(subject);
        plan.cases.append(planned);
    }

    if (!withoutImages.isEmpty())
        plan.warnings.append(tr("%1 subjects in label.csv have no images: %2")
                                 .arg(withoutImages.size())
                                 .arg(listForMessage(withoutImages)));
    if (!imagesBySubject.isEmpty()) {
        qsizetype count = 0;
        for (const auto &images : std::as_const(imagesBySubject))
            count += images.size();
        plan.warnings.append(tr("%1 images belong to subjects that label.csv does not list and were not imported: %2")
                                 .arg(count)
                                 .arg(listForMessage(imagesBySubject.keys())));
    }
    QStringList unknownSplit;
    for (auto it = splits.constBegin(); it != splits.constEnd(); ++it) {
        if (!subjects.contains(it.key()))
            unknownSplit.append(it.key());
    }
    unknownSplit.sort();
    plan.unknownSplitSubjects = unknownSplit;
    if (!unknownSplit.isEmpty())
        plan.warnings.append(tr("PASSION_split.csv names %1 subjects that label.csv lacks: %2")
                                 .arg(unknownSplit.size())
                                 .arg(listForMessage(unknownSplit)));
    return plan;
}

} // namespace dl
