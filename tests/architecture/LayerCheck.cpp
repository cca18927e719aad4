// SPDX-License-Identifier: GPL-3.0-or-later
#include "LayerCheck.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QMap>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>
#include <functional>

using namespace Qt::StringLiterals;

namespace {

struct SourceFile
{
    QString path;   ///< relative to the root
    QString folder; ///< the area below core/ ("store", "qa", ...); empty outside core/
    QStringList lines;
};

QList<SourceFile> readSources(const QString &root)
{
    QList<SourceFile> files;
    const QDir rootDir(root);
    for (const QString &top : {u"core"_s, u"ui"_s, u"app"_s}) {
        QDirIterator it(rootDir.filePath(top), {u"*.cpp"_s, u"*.h"_s}, QDir::Files,
                        QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString absolute = it.next();
            QFile file(absolute);
            if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
                continue;
            SourceFile source;
            source.path = rootDir.relativeFilePath(absolute);
            const QStringList parts = source.path.split(u'/');
            if (parts.size() > 2 && parts.first() == u"core"_s)
                source.folder = parts.at(1);
            source.lines = QString::fromUtf8(file.readAll()).split(u'\n');
            files.append(source);
        }
    }
    std::sort(files.begin(), files.end(),
              [](const SourceFile &a, const SourceFile &b) { return a.path < b.path; });
    return files;
}

/// The target of an #include line ("<QSqlQuery>" or "\"store/Store.h\""), or empty.
QString includeOf(const QString &line)
{
    static const QRegularExpression include(uR"(^\s*#\s*include\s*([<"][^>"]+[>"]))"_s);
    const auto match = include.match(line);
    return match.hasMatch() ? match.captured(1) : QString();
}

/// The core folder a quoted include names ("\"qa/LabelFields.h\"" -> "qa"), or empty.
QString includedFolder(const QString &target)
{
    if (!target.startsWith(u'"'))
        return {};
    const qsizetype slash = target.indexOf(u'/');
    return slash < 0 ? QString() : target.mid(1, slash - 1);
}

/// One cycle in the folder graph, as "a -> b -> a", or empty when there is none.
QString findLoop(const QMap<QString, QSet<QString>> &graph)
{
    enum class Mark { New, Active, Done };
    QMap<QString, Mark> marks;
    QStringList path;
    std::function<QString(const QString &)> visit = [&](const QString &node) -> QString {
        marks[node] = Mark::Active;
        path.append(node);
        QStringList next = graph.value(node).values();
        std::sort(next.begin(), next.end());
        for (const QString &to : std::as_const(next)) {
            const Mark mark = marks.value(to, Mark::New);
            if (mark == Mark::Active)
                return (path.mid(path.indexOf(to)) << to).join(u" -> "_s);
            if (mark == Mark::New) {
                const QString loop = visit(to);
                if (!loop.isEmpty())
                    return loop;
            }
        }
        path.removeLast();
        marks[node] = Mark::Done;
        return {};
    };
    for (auto it = graph.cbegin(); it != graph.cend(); ++it) {
        if (marks.value(it.key(), Mark::New) == Mark::New) {
            const QString loop = visit(it.key());
            if (!loop.isEmpty())
                return loop;
        }
    }
    return {};
}

} // namespace

QList<LayerViolation> LayerCheck::check(const QString &sourceRoot)
{
    static const QRegularExpression sqlHeader(uR"(^[<"](QtSql/|QSql))"_s);
    static const QRegularExpression sqlText(
        uR"(QSqlQuery|QSqlDatabase|\bSql::|\b(SELECT|INSERT|UPDATE|DELETE) )"_s);
    static const QStringList storeInternal {uR"("store/Sql.h")"_s, uR"("store/Transaction.h")"_s};
    static const QMap<QString, QStringList> mayInclude {
        {u"model"_s, {u"model"_s, u"base"_s}},
        {u"store"_s, {u"store"_s, u"model"_s, u"base"_s, u"auth"_s, u"imaging"_s, u"text"_s}},
    };

    QList<LayerViolation> violations;
    QMap<QString, QSet<QString>> folderGraph;
    QMap<QPair<QString, QString>, QString> edgeWitness; // (from, to) -> a file that includes across
    for (const SourceFile &file : readSources(sourceRoot)) {
        const bool inStore = file.folder == u"store"_s;
        for (qsizetype n = 0; n < file.lines.size(); ++n) {
            const QString &line = file.lines.at(n);
            const QString where = u"line %1: %2"_s.arg(n + 1).arg(line.trimmed());
            const QString target = includeOf(line);
            if (!inStore && sqlHeader.match(target).hasMatch())
                violations.append({file.path, u"sql-header"_s, where});
            else if (!inStore && target.isEmpty() && sqlText.match(line).hasMatch())
                violations.append({file.path, u"sql-text"_s, where});
            if (!inStore && storeInternal.contains(target))
                violations.append({file.path, u"store-internal"_s, where});
            const QString folder = includedFolder(target);
            if (file.folder.isEmpty() || folder.isEmpty() || folder == file.folder)
                continue;
            if (!QFileInfo(QDir(sourceRoot).filePath(u"core/"_s + folder)).isDir())
                continue; // not a core folder (Qt or OpenCV)
            if (mayInclude.contains(file.folder) && !mayInclude.value(file.folder).contains(folder))
                violations.append({file.path, u"layer"_s, where});
            folderGraph[file.folder].insert(folder);
            edgeWitness.insert({file.folder, folder}, file.path);
        }
    }
    const QString loop = findLoop(folderGraph);
    if (!loop.isEmpty()) {
        const QStringList steps = loop.split(u" -> "_s);
        QStringList witnesses;
        for (qsizetype i = 0; i + 1 < steps.size(); ++i)
            witnesses.append(edgeWitness.value({steps.at(i), steps.at(i + 1)}));
        violations.append(
            {witnesses.join(u", "_s), u"loop"_s, u"core folders include each other: "_s + loop});
    }
    return violations;
}
