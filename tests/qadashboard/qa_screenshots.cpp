// SPDX-License-Identifier: GPL-3.0-or-later
// Renders the QA dashboard (every tab) and the review of its first disagreement at 1400 x 900,
// to look at them: qa_screenshots STORE USER OUTPUT_FOLDER [STRATUM [ci]]
// (ci: run the bootstrap for the confidence intervals first).
// Run it with QT_QPA_PLATFORM=offscreen on a machine without a display.
#include "qa/DisagreementFilterModel.h"
#include "qa/DisagreementModel.h"
#include "qa/QaDashboard.h"
#include "qa/ReviewDialog.h"
#include "store/Store.h"
#include "store/UserRepository.h"

#include <QApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QSortFilterProxyModel>
#include <QTabWidget>
#include <QTextStream>

using namespace Qt::StringLiterals;
using namespace dl;

static bool waitFor(const std::function<bool()> &done)
{
    QDeadlineTimer deadline(120'000);
    while (!done()) {
        if (deadline.hasExpired())
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    }
    return true;
}

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QTextStream err(stderr);
    const QStringList args = app.arguments();
    if (args.size() < 4) {
        err << "usage: qa_screenshots STORE USER OUTPUT_FOLDER [STRATUM [ci]]\n";
        return 2;
    }
    QString error;
    auto store = Store::open(args.at(1), Store::OpenMode::MustExist, &error);
    if (!store) {
        err << error << '\n';
        return 1;
    }
    const auto user = UserRepository(store->db()).findByName(args.at(2), &error);
    if (!user) {
        err << "no user " << args.at(2) << '\n';
        return 1;
    }
    const QDir out(args.at(3));
    QDir().mkpath(out.path());

    QaDashboard dashboard(*store, *user);
    dashboard.setOpensReviewDialog(false);
    dashboard.resize(1400, 900);
    dashboard.show();
    if (!waitFor([&] { return !dashboard.isBusy(); }))
        return 1;
    if (args.size() > 4) {
        dashboard.setStratum(args.at(4));
        waitFor([&] { return !dashboard.isBusy(); });
    }
    if (args.size() > 5 && args.at(5) == u"ci"_s) {
        dashboard.computeConfidenceIntervals();
        waitFor([&] { return !dashboard.isBusy(); });
    }
    const QStringList names {u"overview"_s, u"plots"_s, u"disagreements"_s, u"raters"_s};
    for (int tab = 0; tab < dashboard.tabs()->count(); ++tab) {
        dashboard.tabs()->setCurrentIndex(tab);
        QCoreApplication::processEvents();
        dashboard.grab().save(out.filePath(u"qa-%1.png"_s.arg(names.value(tab, QString::number(tab)))));
    }
    dashboard.tabs()->setCurrentIndex(0);

    QSortFilterProxyModel *list = dashboard.disagreementProxy();
    if (list->rowCount() > 0) {
        ReviewDialog review(*store, *user);
        QList<ReviewItem> queue;
        for (int row = 0; row < list->rowCount(); ++row) {
            const QModelIndex index = list->index(row, 0);
            queue.append({index.data(DisagreementModel::ImageIdRole).toLongLong(),
                          index.data(DisagreementModel::ImageNameRole).toString(),
                          index.data(DisagreementModel::FieldRole).toString()});
        }
        review.setQueue(queue);
        review.resize(1400, 900);
        review.show();
        bool loaded = false;
        QObject::connect(&review, &ReviewDialog::imageLoaded, [&] { loaded = true; });
        review.showImage(queue.first().imageId, queue.first().field);
        waitFor([&] { return loaded; });
        QCoreApplication::processEvents();
        review.grab().save(out.filePath(u"qa-review.png"_s));
    }
    err << "written to " << out.path() << '\n';
    return 0;
}
