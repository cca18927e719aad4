// SPDX-License-Identifier: GPL-3.0-or-later
// dermlabel-cli agreement.
#include "Cli.h"

#include "qa/AgreementReport.h"
#include "qa/MeasureLevel.h"

#include <QCoreApplication>
#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace dl {

static QString tr(const char *text)
{
    return QCoreApplication::translate("dl::Cli", text);
}

static QString number(const QJsonValue &value)
{
    return value.isDouble() ? QString::number(value.toDouble(), 'f', 3) : tr("n/a");
}

int Cli::agreementCommand(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addOption({u"ratings"_s, tr("A long table with the header item,rater,field,value."), tr("FILE.csv")});
    parser.addOption({u"level"_s, tr("Measurement level of a field: FIELD=nominal|ordinal|interval (repeatable; "
                                     "default nominal)."),
                      tr("FIELD=LEVEL")});
    parser.addOption({u"bootstrap"_s, tr("Add bootstrap 95% confidence intervals with N replicates."), tr("N")});
    parser.addOption({u"seed"_s, tr("Seed of the bootstrap (same seed, same intervals)."), tr("N")});
    int exitCode = Ok;
    if (!parse(parser, args, u"agreement"_s,
               tr("Inter-rater agreement: percent agreement, Cohen's kappa per rater pair (weighted for ordinal "
                  "and interval fields), Fleiss' kappa and Krippendorff's alpha."),
               false, &exitCode))
        return exitCode;
    const QString ratings = parser.value(u"ratings"_s);
    if (ratings.isEmpty())
        return usageError(tr("agreement: --ratings FILE.csv is required."));
    QHash<QString, MeasureLevel> levels;
    for (const QString &spec : parser.values(u"level"_s)) {
        const qsizetype equals = spec.indexOf(u'=');
        const auto level = equals > 0 ? measureLevelFromName(QStringView(spec).mid(equals + 1)) : std::nullopt;
        if (!level)
            return usageError(tr("agreement: --level takes FIELD=nominal, FIELD=ordinal or FIELD=interval, not '%1'.")
                                  .arg(spec));
        levels.insert(spec.left(equals), *level);
    }
    AgreementOptions options;
    if (parser.isSet(u"bootstrap"_s)) {
        bool ok = false;
        options.bootstrap = true;
        options.replicates = parser.value(u"bootstrap"_s).toInt(&ok);
        if (!ok || options.replicates < 10)
            return usageError(tr("agreement: --bootstrap takes a number of replicates (10 or more)."));
    }
    if (parser.isSet(u"seed"_s)) {
        bool ok = false;
        options.seed = parser.value(u"seed"_s).toULongLong(&ok);
        if (!ok)
            return usageError(tr("agreement: --seed takes a whole number."));
    }
    QString error;
    const QJsonObject report = AgreementReport::fromRatingsCsv(ratings, levels, options, &error);
    if (report.isEmpty())
        return failure(error);
    if (json()) {
        printJson(report);
        return Ok;
    }
    for (const QJsonValue &value : report.value(u"fields"_s).toArray()) {
        const QJsonObject field = value.toObject();
        out() << tr("%1 (%2): %3 items, percent agreement %4, Fleiss' kappa %5, Krippendorff's alpha %6\n")
                     .arg(field.value(u"field"_s).toString(), field.value(u"level"_s).toString())
                     .arg(field.value(u"items"_s).toInt())
                     .arg(number(field.value(u"percent_agreement"_s)), number(field.value(u"fleiss_kappa"_s)),
                          number(field.value(u"krippendorff_alpha"_s)));
        for (const QJsonValue &pairValue : field.value(u"pairs"_s).toArray()) {
            const QJsonObject pair = pairValue.toObject();
            out() << tr("  %1 / %2: %3 items, Cohen's kappa %4")
                         .arg(pair.value(u"rater_a"_s).toString(), pair.value(u"rater_b"_s).toString())
                         .arg(pair.value(u"items"_s).toInt())
                         .arg(number(pair.value(u"cohen_kappa"_s)));
            if (pair.contains(u"cohen_kappa_quadratic"_s))
                out() << tr(", quadratic %1").arg(number(pair.value(u"cohen_kappa_quadratic"_s)));
            out() << u'\n';
        }
    }
    return Ok;
}

} // namespace dl
