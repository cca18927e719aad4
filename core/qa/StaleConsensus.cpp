// SPDX-License-Identifier: GPL-3.0-or-later
#include "qa/StaleConsensus.h"

#include "qa/ConsensusService.h"
#include "store/Sql.h"
#include "store/Store.h"
#include "store/TeamSecurity.h"
#include "store/Transaction.h"

#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace dl {

bool StaleConsensus::isDeferred(const QSqlDatabase &db)
{
    if (!TeamSecurity::managesUsers(db))
        return false;
    QString error;
    const auto staff = Sql::scalar(db, u"SELECT dl_is_staff() OR pg_has_role(current_user, dl_group('owner'), 'MEMBER')"_s, {}, &error);
    return !(staff && staff->toBool());
}

std::optional<int> StaleConsensus::recompute(const Store &store, QString *error)
{
    const QSqlDatabase db = store.db();
    if (isDeferred(db))
        return 0;
    QList<qint64> images;
    {
        QSqlQuery query(db);
        if (!Sql::exec(query, u"SELECT image_id FROM consensus_stale ORDER BY image_id"_s, {}, error))
            return std::nullopt;
        while (query.next())
            images.append(query.value(0).toLongLong());
    }
    const int quorum = ConsensusService::quorum(store);
    int done = 0;
    for (const qint64 image : std::as_const(images)) {
        Transaction tx(db);
        if (!tx.isActive()) {
            *error = tx.error();
            return std::nullopt;
        }
        // The mark goes first: a save that commits meanwhile marks the image
        // again (it waits for this transaction), so no change is lost.
        if (!Sql::exec(db, u"DELETE FROM consensus_stale WHERE image_id = ?"_s, {image}, error)
            || !ConsensusService::recomputeImage(db, image, quorum, error))
            return std::nullopt;
        if (!tx.commit()) {
            *error = tx.error();
            return std::nullopt;
        }
        ++done;
    }
    return done;
}

} // namespace dl
