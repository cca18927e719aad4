// SPDX-License-Identifier: GPL-3.0-or-later
// dermlabel-cli migrate and assign.
#include "Cli.h"

#include "annotation/AssignmentService.h"
#include "model/Role.h"
#include "store/Store.h"
#include "store/StoreCopier.h"
#include "store/StoreLocation.h"
#include "users/UserService.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QHash>
#include <QJsonArray>

#include <unistd.h>

using namespace Qt::StringLiterals;

namespace dl {

static QString tr(const char *text)
{
    return QCoreApplication::translate("dl::Cli", text);
}

static QString shortHash(const QString &sha256)
{
    return sha256.left(16);
}

int Cli::migrateCommand(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addOption({u"from"_s, tr("The store to copy: a store file or a team store's postgresql:// URL."), tr("STORE")});
    parser.addOption({u"to"_s,
                      tr("Where to copy it: a new store file, or a team store's postgresql:// URL naming the store's "
                         "owner (a role that may create roles). A new or empty store, or an earlier copy of the "
                         "same store."),
                      tr("STORE")});
    int exitCode = Ok;
    if (!parse(parser, args, u"migrate"_s,
               tr("Copy a whole store to a team store on a PostgreSQL server, or a team store to a local store "
                  "file, and verify the copy (row counts and checksums of every table, the image files)."),
               false, &exitCode))
        return exitCode;
    const QString from = parser.value(u"from"_s);
    const QString to = parser.value(u"to"_s);
    if (from.isEmpty() || to.isEmpty())
        return usageError(tr("migrate: --from STORE and --to STORE are required."));
    QString error;
    const StoreLocation fromLocation = StoreLocation::parse(from, &error);
    if (!fromLocation.isValid())
        return usageError(error);
    const StoreLocation toLocation = StoreLocation::parse(to, &error);
    if (!toLocation.isValid())
        return usageError(error);
    if (fromLocation.displayName() == toLocation.displayName())
        return usageError(tr("migrate: --from and --to name the same store."));

    auto source = Store::open(fromLocation, Store::OpenMode::MustExist, &error);
    if (!source)
        return failure(error);
    auto target = StoreCopier::openTarget(toLocation, source->schemaVersion(), &error);
    if (!target)
        return failure(error);

    installInterruptHandler();
    const bool terminal = ::isatty(STDERR_FILENO) == 1;
    QString lastTable;
    auto progress = [&](const CopyProgress &p) {
        const QString phase = p.phase == CopyProgress::Phase::Images ? tr("image files")
            : p.phase == CopyProgress::Phase::Tables                 ? tr("copying %1").arg(p.table)
                                                                     : tr("verifying %1").arg(p.table);
        if (terminal) {
            err() << u"\r"_s << QString(72, u' ') << u"\r"_s << phase << u' ' << p.done << u'/' << p.total;
            err().flush();
        } else if (p.done == p.total && phase != lastTable) {
            // One line per step when stderr is a file or a pipe.
            lastTable = phase;
            err() << phase << u' ' << p.done << u'/' << p.total << u'\n';
            err().flush();
        }
    };
    QElapsedTimer timer;
    timer.start();
    StoreCopier copier(*source, *target);
    const CopyReport report = copier.run(progress, &interrupted());
    if (terminal) {
        err() << u"\r"_s << QString(72, u' ') << u"\r"_s;
        err().flush();
    }
    const double seconds = timer.elapsed() / 1000.0;

    if (report.outcome == CopyReport::Outcome::Cancelled) {
        if (json())
            printJson({{u"ok"_s, false}, {u"outcome"_s, u"cancelled"_s}});
        err() << tr("Cancelled: the target's tables are as they were (image files already copied stay and are used "
                    "by the next run).")
              << u'\n';
        err().flush();
        return Failed;
    }
    const bool verified = report.identical();
    if (json()) {
        QJsonObject o = report.toJson();
        o.insert(u"source"_s, source->displayName());
        o.insert(u"target"_s, target->displayName());
        o.insert(u"seconds"_s, seconds);
        printJson(o);
    } else {
        if (!report.tables.isEmpty()) {
            out() << tr("Verification (rows and SHA-256 of each table, source | target):") << u'\n';
            for (const TableComparison &t : report.tables) {
                out() << u"  "_s << t.table.leftJustified(22) << QString::number(t.sourceRows).rightJustified(9)
                      << u' ' << shortHash(t.sourceSha256) << u" | "_s
                      << QString::number(t.targetRows).rightJustified(9) << u' ' << shortHash(t.targetSha256)
                      << (t.matches() ? QString() : tr("  DIFFERENT")) << u'\n';
            }
            out() << u"  "_s << tr("image files").leftJustified(22)
                  << QString::number(report.images.sourceFiles).rightJustified(9) << u' '
                  << shortHash(report.images.sourceSha256) << u" | "_s
                  << QString::number(report.images.targetFiles).rightJustified(9) << u' '
                  << shortHash(report.images.targetSha256) << (report.images.matches() ? QString() : tr("  DIFFERENT"))
                  << u'\n';
        }
        if (!report.images.missingInSource.isEmpty())
            out() << tr("%1 image files are missing in the source itself (dermlabel-cli check lists them).")
                         .arg(report.images.missingInSource.size())
                  << u'\n';
        switch (report.outcome) {
        case CopyReport::Outcome::Copied:
            out() << tr("Copied %1 to %2 in %3 s.").arg(source->displayName(), target->displayName()).arg(seconds, 0, 'f', 1)
                  << u'\n';
            break;
        case CopyReport::Outcome::Completed:
            out() << tr("%1 was an earlier copy of %2; copied what it lacked in %3 s.")
                         .arg(target->displayName(), source->displayName())
                         .arg(seconds, 0, 'f', 1)
                  << u'\n';
            break;
        case CopyReport::Outcome::Identical:
            out() << tr("%1 already is an identical copy of %2; nothing was changed.")
                         .arg(target->displayName(), source->displayName())
                  << u'\n';
            break;
        case CopyReport::Outcome::Failed:
        case CopyReport::Outcome::Cancelled:
            break;
        }
        if (report.ok() && !report.usersWithoutPassword.isEmpty()) {
            if (toLocation.isPostgres())
                out() << tr("These users have a new server login without a password, and cannot sign in until an "
                            "administrator sets one:");
            else
                out() << tr("A team store keeps passwords in its server, so these users of the copy have none yet "
                            "and cannot sign in until an administrator sets one:");
            out() << u"\n  "_s << report.usersWithoutPassword.join(u", "_s) << u'\n'
                  << tr("Set each one's password (read from standard input) with:\n"
                        "  dermlabel-cli users password --store %1 NAME")
                         .arg(target->displayName())
                  << u'\n';
        }
        if (report.ok() && report.outcome != CopyReport::Outcome::Identical
            && !report.usersWithExistingRole.isEmpty())
            out() << tr("These users already had a login on the server and keep its password: %1")
                         .arg(report.usersWithExistingRole.join(u", "_s))
                  << u'\n';
        out().flush();
    }
    if (!report.ok()) {
        if (!json()) {
            err() << tr("dermlabel-cli: %1").arg(report.error) << u'\n';
            err().flush();
        }
        // Refused before anything was written (another store, names...): a failure; a copy that
        // does not verify: a difference.
        return report.tables.isEmpty() ? Failed : Partial;
    }
    if (!verified) {
        err() << tr("dermlabel-cli: the copy differs from the source (see above).") << u'\n';
        err().flush();
        return Partial;
    }
    return Ok;
}

int Cli::assignCommand(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addOption({u"k"_s, tr("Distinct annotators per image (default: the store's last K, else 3)."), tr("K")});
    parser.addOption({u"raters"_s,
                      tr("Comma-separated annotators who may receive new work (default: every active annotator)."),
                      tr("NAMES")});
    int exitCode = Ok;
    if (!parse(parser, args, u"assign"_s,
               tr("Assign images so that each is labelled by K distinct annotators, spreading the work evenly (what "
                  "the admin screen's Assign does)."),
               true, &exitCode))
        return exitCode;
    auto store = openStore(parser, false, true);
    if (!store)
        return Failed;
    AssignmentService service(*store, operatorUser());
    AssignmentRequest request;
    request.k = service.ratersPerImage();
    if (parser.isSet(u"k"_s)) {
        bool ok = false;
        request.k = parser.value(u"k"_s).toInt(&ok);
        if (!ok || request.k < 1 || request.k > 100)
            return usageError(tr("assign: --k takes a number from 1 to 100."));
    }
    QString error;
    UserService users(*store, operatorUser());
    const auto list = users.list(&error);
    if (!list)
        return failure(error);
    QHash<QString, User> byName;
    QHash<qint64, QString> names;
    qsizetype activeAnnotators = 0;
    for (const UserSummary &summary : *list) {
        byName.insert(summary.user.name, summary.user);
        names.insert(summary.user.id, summary.user.name);
        if (summary.user.active && summary.user.role == Role::Annotator)
            ++activeAnnotators;
    }
    if (parser.isSet(u"raters"_s)) {
        const QStringList wanted = parser.value(u"raters"_s).split(u',', Qt::SkipEmptyParts);
        if (wanted.isEmpty())
            return usageError(tr("assign: --raters needs at least one name."));
        for (QString name : wanted) {
            name = name.trimmed();
            const auto found = byName.constFind(name);
            if (found == byName.constEnd())
                return usageError(tr("assign: there is no user named '%1'.").arg(name));
            if (found->role != Role::Annotator)
                return usageError(tr("assign: %1 is not an annotator (%2).").arg(name, roleDisplayName(found->role)));
            if (!found->active)
                return usageError(tr("assign: %1 is disabled.").arg(name));
            if (!request.annotators.contains(found->id))
                request.annotators.append(found->id);
        }
        if (request.annotators.size() < request.k)
            return usageError(tr("assign: %1 raters per image were asked for, but --raters names only %2.")
                                  .arg(request.k)
                                  .arg(request.annotators.size()));
    } else if (activeAnnotators < request.k) {
        return failure(tr("assign: %1 raters per image were asked for, but the store has only %2 active annotators.")
                           .arg(request.k)
                           .arg(activeAnnotators));
    }
    const auto result = service.assign(request, &error);
    if (!result)
        return failure(error);
    QJsonObject perUser;
    for (auto it = result->addedPerUser.cbegin(); it != result->addedPerUser.cend(); ++it)
        perUser.insert(names.value(it.key()), it.value());
    if (json()) {
        printJson({{u"ok"_s, true},
                   {u"k"_s, request.k},
                   {u"images"_s, result->images},
                   {u"added"_s, result->added},
                   {u"under_assigned"_s, result->underAssigned},
                   {u"added_per_user"_s, perUser}});
        return Ok;
    }
    if (result->images == 0 && result->added == 0) {
        out() << tr("Nothing to assign: the store has no images.") << u'\n';
    } else if (result->added == 0) {
        out() << tr("Nothing to assign: every image already has %1 raters.").arg(request.k) << u'\n';
    } else {
        out() << tr("Assigned %1 images to %2 raters each: %3 new assignments.")
                     .arg(result->images)
                     .arg(request.k)
                     .arg(result->added)
                  << u'\n';
        QStringList who = perUser.keys();
        for (const QString &name : std::as_const(who))
            out() << u"  "_s << name.leftJustified(24) << perUser.value(name).toInteger() << u'\n';
    }
    if (result->underAssigned > 0)
        out() << tr("%1 images could not reach %2 raters (too few raters to choose from).")
                     .arg(result->underAssigned)
                     .arg(request.k)
              << u'\n';
    return Ok;
}

} // namespace dl
