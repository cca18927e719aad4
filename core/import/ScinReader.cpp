// SPDX-License-Identifier: GPL-3.0-or-later
#include "import/ScinReader.h"

#include "import/DatasetPaths.h"
#include "text/CsvReader.h"
#include "text/PyLiteral.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace dl {

static QString tr(const char *text)
{
    return QCoreApplication::translate("dl::ScinReader", text);
}

static QString compactJson(const QJsonArray &array)
{
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact));
}

static QString compactJson(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

/// Names of the multi-select columns of one group (prefix) answered 'YES'.
static QStringList selected(const CsvTable &table, qsizetype row, QStringView prefix)
{
    QStringList names;
    for (qsizetype c = 0; c < table.header.size(); ++c) {
        const QString &column = table.header.at(c);
        if (column.startsWith(prefix) && table.rows.at(row).at(c).trimmed().compare(u"YES"_s, Qt::CaseInsensitive) == 0)
            names.append(column.mid(prefix.size()));
    }
    return names;
}

static void addLabels(const CsvTable &labels, qsizetype row, const QString &caseId, PlannedCase *planned,
                      QStringList *warnings)
{
    auto value = [&](const QString &column) { return labels.value(row, column).trimmed(); };
    auto add = [&](const QString &rater, const QString &field, const QString &v) {
        if (!v.isEmpty())
            planned->labels.append({rater, field, v});
    };
    auto warn = [&](const QString &column, const QString &message) {
        warnings->append(tr("Case %1, column %2: %3").arg(caseId, column, message));
    };

    for (int n = 1; n <= 3; ++n) {
        const QString rater = u"dermatologist_%1"_s.arg(n);
        add(rater, u"gradable_for_skin_condition"_s,
            DatasetPaths::normaliseBoolean(value(u"dermatologist_gradable_for_skin_condition_%1"_s.arg(n))));
        add(rater, u"gradable_for_fitzpatrick"_s,
            DatasetPaths::normaliseBoolean(value(u"dermatologist_gradable_for_fitzpatrick_skin_type_%1"_s.arg(n))));
        const QString fstColumn = u"dermatologist_fitzpatrick_skin_type_label_%1"_s.arg(n);
        const QString fst = value(fstColumn);
        const QString fstValue = DatasetPaths::normaliseScale(fst, 1, 6);
        if (!fst.isEmpty() && fstValue.isEmpty())
            warn(fstColumn, tr("'%1' is not a Fitzpatrick type; kept as an attribute only.").arg(fst));
        add(rater, u"fitzpatrick"_s, fstValue);
    }

    QString error;
    const QString namesColumn = u"dermatologist_skin_condition_on_label_name"_s;
    if (const QString text = value(namesColumn); !text.isEmpty()) {
        if (const auto names = PyLiteral::parseStringList(text, &error))
            add({}, u"skin_condition_labels"_s, compactJson(QJsonArray::fromStringList(*names)));
        else
            warn(namesColumn, error);
    }
    const QString confidenceColumn = u"dermatologist_skin_condition_confidence"_s;
    if (const QString text = value(confidenceColumn); !text.isEmpty()) {
        if (const auto numbers = PyLiteral::parseNumberList(text, &error)) {
            QJsonArray array;
            for (double n : *numbers)
                array.append(n);
            add({}, u"skin_condition_confidences"_s, compactJson(array));
        } else {
            warn(confidenceColumn, error);
        }
    }
    const QString weightedColumn = u"weighted_skin_condition_label"_s;
    if (const QString text = value(weightedColumn); !text.isEmpty()) {
        if (const auto dict = PyLiteral::parseStringNumberDict(text, &error)) {
            QJsonObject object;
            for (const auto &[name, weight] : *dict)
                object.insert(name, weight);
            add({}, weightedColumn, compactJson(object));
        } else {
            warn(weightedColumn, error);
        }
    }
    for (const QString &region : {u"india"_s, u"us"_s}) {
        add({}, u"gradable_for_monk_skin_tone_%1"_s.arg(region),
            DatasetPaths::normaliseBoolean(value(u"gradable_for_monk_skin_tone_%1"_s.arg(region))));
        const QString column = u"monk_skin_tone_label_%1"_s.arg(region);
        const QString monk = value(column);
        const QString monkValue = DatasetPaths::normaliseScale(monk, 1, 10);
        if (!monk.isEmpty() && monkValue.isEmpty())
            warn(column, tr("'%1' is not a Monk skin tone.").arg(monk));
        add({}, u"monk_skin_tone_%1"_s.arg(region), monkValue);
    }
}

std::optional<ImportPlan> ScinReader::read(const QString &root, QString *error)
{
    const QFileInfo rootInfo(root);
    if (!rootInfo.isDir()) {
        *error = tr("%1 is not a folder.").arg(QDir::toNativeSeparators(root));
        return std::nullopt;
    }
    ImportPlan plan;
    plan.kind = u"scin"_s;
    plan.rootPath = rootInfo.canonicalFilePath();
    plan.name = rootInfo.fileName();
    plan.licence = DatasetPaths::readLicenceFile(plan.rootPath);
    const QDir dir(plan.rootPath);

    const QString casesPath = dir.filePath(u"scin_cases.csv"_s);
    if (!QFileInfo::exists(casesPath)) {
        *error = tr("%1 has no scin_cases.csv: is it a SCIN dataset folder?").arg(QDir::toNativeSeparators(root));
        return std::nullopt;
    }
    auto cases = CsvReader::readFile(casesPath, error);
    if (!cases)
        return std::nullopt;
    if (!CsvReader::requireColumns(*cases, {u"case_id"_s, u"image_1_path"_s}, u"scin_cases.csv"_s, error))
        return std::nullopt;

    std::optional<CsvTable> labels;
    QHash<QString, qsizetype> labelRows;
    const QString labelsPath = dir.filePath(u"scin_labels.csv"_s);
    if (QFileInfo::exists(labelsPath)) {
        labels = CsvReader::readFile(labelsPath, error);
        if (!labels)
            return std::nullopt;
        if (!CsvReader::requireColumns(*labels, {u"case_id"_s}, u"scin_labels.csv"_s, error))
            return std::nullopt;
        for (qsizetype r = 0; r < labels->rows.size(); ++r)
            labelRows.insert(labels->value(r, u"case_id"), r);
    }

    QHash<QString, qsizetype> seenCases;
    for (qsizetype r = 0; r < cases->rows.size(); ++r) {
        const QString caseId = cases->value(r, u"case_id").trimmed();
        if (caseId.isEmpty()) {
            plan.warnings.append(tr("scin_cases.csv line %1: empty case_id; row skipped.").arg(cases->rowLines.at(r)));
            continue;
        }
        if (seenCases.contains(caseId)) {
            plan.warnings.append(tr("scin_cases.csv line %1: case %2 appears again; only the first row is used.")
                                     .arg(cases->rowLines.at(r))
                                     .arg(caseId));
            continue;
        }
        seenCases.insert(caseId, r);

        PlannedCase planned;
        planned.sourceCaseId = caseId;
        for (qsizetype c = 0; c < cases->header.size(); ++c) {
            const QString &v = cases->rows.at(r).at(c);
            if (!v.isEmpty())
                planned.attributes.append({cases->header.at(c), v});
        }
        CaseMetadata &m = planned.metadata;
        m.ageGroup = cases->value(r, u"age_group").trimmed();
        m.sex = DatasetPaths::normaliseSex(cases->value(r, u"sex_at_birth"));
        m.skinTypeSelf = cases->value(r, u"fitzpatrick_skin_type").trimmed();
        m.bodySites = selected(*cases, r, u"body_parts_");
        m.symptoms = selected(*cases, r, u"condition_symptoms_") + selected(*cases, r, u"other_symptoms_");
        m.duration = cases->value(r, u"condition_duration").trimmed();
        m.licenceTag = cases->value(r, u"source").trimmed();

        for (int n = 1; n <= MaxImagesPerCase; ++n) {
            const QString path = cases->value(r, u"image_%1_path"_s.arg(n)).trimmed();
            if (path.isEmpty())
                continue;
            PlannedImage image;
            FileIssue issue;
            if (!DatasetPaths::resolve(plan.rootPath, path, &image, &issue)) {
                (issue.key == u"missing"_s ? plan.missing : plan.rejected).append(issue);
                continue;
            }
            image.position = n;
            image.shotType = cases->value(r, u"image_%1_shot_type"_s.arg(n)).trimmed();
            planned.images.append(image);
        }
        if (labels) {
            if (const auto it = labelRows.constFind(caseId); it != labelRows.constEnd())
                addLabels(*labels, *it, caseId, &planned, &plan.warnings);
        }
        plan.cases.append(planned);
    }
    if (labels) {
        qsizetype unknown = 0;
        for (auto it = labelRows.constBegin(); it != labelRows.constEnd(); ++it)
            unknown += seenCases.contains(it.key()) ? 0 : 1;
        if (unknown > 0)
            plan.warnings.append(tr("scin_labels.csv has labels for %1 cases that scin_cases.csv does not list.").arg(unknown));
    }
    return plan;
}

} // namespace dl
