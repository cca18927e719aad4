// SPDX-License-Identifier: GPL-3.0-or-later
#include "anonymity/Hierarchy.h"

#include "taxonomy/Taxonomy.h"
#include "text/CsvReader.h"

#include <QFile>

#include <algorithm>
#include <functional>

using namespace Qt::StringLiterals;

namespace dl {

QString Hierarchy::asRecorded()
{
    return tr("as recorded");
}

Hierarchy Hierarchy::flat(const QString &column)
{
    Hierarchy h;
    h.m_column = column;
    h.m_levelNames = {asRecorded()};
    h.m_coversAll = true;
    return h;
}

std::optional<Hierarchy> Hierarchy::parse(QByteArrayView csv, const QString &column, const QString &origin,
                                          QString *error)
{
    QString parseError;
    const auto table = CsvReader::parse(csv, &parseError);
    if (!table) {
        *error = tr("%1: %2").arg(origin, parseError);
        return std::nullopt;
    }
    if (table->header.size() < 2) {
        *error = tr("%1: a hierarchy needs a value column and at least one level.").arg(origin);
        return std::nullopt;
    }
    if (table->rows.isEmpty()) {
        *error = tr("%1: the hierarchy lists no values.").arg(origin);
        return std::nullopt;
    }
    Hierarchy h;
    h.m_column = column;
    h.m_levelNames = table->header;
    h.m_levelNames[0] = asRecorded();
    const qsizetype levels = table->header.size();
    // parentOf[level][value at level] = its value at level + 1, to check that it is a hierarchy.
    QList<QHash<QString, QString>> parentOf(levels);
    for (qsizetype r = 0; r < table->rows.size(); ++r) {
        const QStringList &row = table->rows.at(r);
        const int line = int(r) + 2;
        QStringList values;
        for (const QString &cell : row)
            values.append(cell.trimmed());
        if (std::any_of(values.cbegin(), values.cend(), [](const QString &v) { return v.isEmpty(); })) {
            *error = tr("%1, line %2: every level needs a value.").arg(origin).arg(line);
            return std::nullopt;
        }
        const QString key = values.first().toCaseFolded();
        if (h.m_rows.contains(key)) {
            *error = tr("%1, line %2: the value \"%3\" is listed twice.").arg(origin).arg(line).arg(values.first());
            return std::nullopt;
        }
        for (qsizetype level = 1; level + 1 < levels; ++level) {
            const QString &here = values.at(level);
            const QString &up = values.at(level + 1);
            const auto known = parentOf[level].constFind(here);
            if (known != parentOf[level].cend() && *known != up) {
                *error = tr("%1, line %2: \"%3\" generalises to both \"%4\" and \"%5\".")
                             .arg(origin)
                             .arg(line)
                             .arg(here, *known, up);
                return std::nullopt;
            }
            parentOf[level].insert(here, up);
        }
        h.m_rows.insert(key, values.mid(1));
    }
    return h;
}

std::optional<Hierarchy> Hierarchy::load(const QString &path, const QString &column, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = tr("%1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    constexpr qint64 limit = 16 << 20;
    if (file.size() > limit) {
        *error = tr("%1: a hierarchy file may hold at most 16 MB.").arg(path);
        return std::nullopt;
    }
    return parse(file.read(limit), column, path, error);
}

Hierarchy Hierarchy::ofTaxonomy(const Taxonomy &taxonomy, const QString &column)
{
    Hierarchy h;
    h.m_column = column;
    h.m_levelNames = {asRecorded(), tr("taxonomy group")};
    std::function<void(const QString &, const QString &)> walk = [&](const QString &id, const QString &root) {
        h.m_rows.insert(id.toCaseFolded(), {root});
        for (const QString &child : taxonomy.childrenOf(id))
            walk(child, root);
    };
    for (const QString &root : taxonomy.childrenOf(QString()))
        walk(root, root);
    h.m_rows.insert(u"unknown"_s, {u"unknown"_s});
    return h;
}

bool Hierarchy::covers(const QString &value) const
{
    return m_coversAll || m_rows.contains(value.trimmed().toCaseFolded());
}

std::optional<QString> Hierarchy::generalise(const QString &value, int level) const
{
    const QString v = value.trimmed();
    if (m_coversAll)
        return v;
    const auto row = m_rows.constFind(v.toCaseFolded());
    if (row == m_rows.cend())
        return std::nullopt;
    level = std::clamp(level, 0, height());
    return level == 0 ? v : row->at(level - 1);
}

} // namespace dl
