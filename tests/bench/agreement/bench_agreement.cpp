// SPDX-License-Identifier: GPL-3.0-or-later
// Times the agreement statistics on a large table: 100,000 items x 3 ratings from a pool
// of 20 raters, a 400-category nominal field and a 6-level ordinal field.
//
//   bench_agreement [--ratings FILE.csv] [--write FILE.csv] [--json REPORT.json]
//                   [--runs 5] [--bootstrap N]
//
// Without --ratings the table is generated (fixed seed). All statistics without bootstrap
// are computed --runs times on one thread and the median is printed; --bootstrap N also
// times one N-replicate bootstrap. --json writes the report for bench_agreement.py
// --compare.
#include "qa/AgreementCalculator.h"
#include "qa/AgreementReport.h"
#include "qa/RatingTable.h"
#include "qa/RatingsFile.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QTextStream>
#include <algorithm>
#include <ctime>
#include <random>
#include <vector>

using namespace Qt::StringLiterals;
using namespace dl;

namespace {

QList<RatingTable> generate(int items, int raters, int categories, int levels, int perItem)
{
    std::mt19937_64 random(20241125);
    RatingTable diagnosis(u"diagnosis"_s, MeasureLevel::Nominal);
    RatingTable severity(u"severity"_s, MeasureLevel::Ordinal);
    diagnosis.reserve(qsizetype(items) * perItem);
    severity.reserve(qsizetype(items) * perItem);
    QStringList raterNames, categoryNames, levelNames;
    for (int r = 0; r < raters; ++r)
        raterNames.append(u"derm_%1"_s.arg(r + 1, 2, 10, QLatin1Char('0')));
    for (int c = 0; c < categories; ++c)
        categoryNames.append(u"cond_%1"_s.arg(c, 3, 10, QLatin1Char('0')));
    for (int l = 1; l <= levels; ++l)
        levelNames.append(QString::number(l));
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    std::geometric_distribution<int> common(0.02); // a few conditions are frequent
    std::vector<int> pool(static_cast<size_t>(raters));
    for (int i = 0; i < items; ++i) {
        const QString item = u"img_%1"_s.arg(i, 6, 10, QLatin1Char('0'));
        const int truth = std::min(common(random), categories - 1);
        const int grade = int(random() % quint64(levels));
        for (int r = 0; r < raters; ++r)
            pool[size_t(r)] = r;
        for (int k = 0; k < perItem; ++k) {
            const auto pick = size_t(k) + size_t(random() % quint64(raters - k));
            std::swap(pool[size_t(k)], pool[pick]);
            const QString &rater = raterNames.at(pool[size_t(k)]);
            const double accuracy = 0.5 + 0.4 * double(pool[size_t(k)]) / double(raters);
            const int c = unit(random) < accuracy ? truth : int(random() % quint64(categories));
            int g = grade;
            if (unit(random) >= accuracy)
                g = std::clamp(grade + (random() % 2 ? 1 : -1), 0, levels - 1);
            diagnosis.add(item, rater, categoryNames.at(c));
            severity.add(item, rater, levelNames.at(g));
        }
    }
    return { diagnosis, severity };
}

/// CPU time of this thread in ms: on a shared machine wall time also counts waiting.
double threadCpuMs()
{
    timespec t {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) * 1e3 + double(t.tv_nsec) / 1e6;
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    const size_t n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Times the inter-rater agreement statistics."_s);
    parser.addHelpOption();
    const QCommandLineOption ratingsOption(u"ratings"_s, u"Read the ratings from a CSV file."_s, u"file"_s);
    const QCommandLineOption writeOption(
        u"write"_s, u"Write the (generated) ratings to a CSV file."_s, u"file"_s);
    const QCommandLineOption jsonOption(u"json"_s, u"Write the report as JSON."_s, u"file"_s);
    const QCommandLineOption runsOption(u"runs"_s, u"Timed runs (median reported)."_s, u"n"_s, u"5"_s);
    const QCommandLineOption bootstrapOption(
        u"bootstrap"_s, u"Also time a bootstrap with n replicates."_s, u"n"_s, u"0"_s);
    parser.addOptions({ ratingsOption, writeOption, jsonOption, runsOption, bootstrapOption });
    parser.process(app);
    QTextStream out(stdout);

    QElapsedTimer timer;
    timer.start();
    QList<RatingTable> tables;
    QString error;
    if (parser.isSet(ratingsOption)) {
        std::optional<QList<RatingTable>> read = RatingsFile::read(
            parser.value(ratingsOption), &error, { { u"severity"_s, MeasureLevel::Ordinal } });
        if (!read) {
            QTextStream(stderr) << error << Qt::endl;
            return 1;
        }
        tables = *read;
        out << "read " << parser.value(ratingsOption) << " in " << timer.elapsed() << " ms" << Qt::endl;
    } else {
        tables = generate(100000, 20, 400, 6, 3);
        out << "generated the table in " << timer.elapsed() << " ms" << Qt::endl;
    }
    if (parser.isSet(writeOption)) {
        if (!RatingsFile::write(parser.value(writeOption), tables, &error)) {
            QTextStream(stderr) << error << Qt::endl;
            return 1;
        }
        out << "wrote " << parser.value(writeOption) << Qt::endl;
    }
    for (const RatingTable &t : tables) {
        out << "  field " << t.field() << " (" << measureLevelName(t.level()) << "): " << t.itemCount()
            << " items, " << t.ratingCount() << " ratings, " << t.raterCount() << " raters, "
            << t.valueCount() << " values" << Qt::endl;
    }

    const AgreementCalculator calculator;
    const int runs = std::max(1, parser.value(runsOption).toInt());
    std::vector<double> times, cpuTimes;
    QList<FieldAgreement> results;
    for (int run = 0; run < runs; ++run) {
        results.clear();
        timer.restart();
        const double cpuStart = threadCpuMs();
        for (const RatingTable &t : tables) {
            std::optional<FieldAgreement> r = calculator.compute(t, &error);
            if (!r) {
                QTextStream(stderr) << error << Qt::endl;
                return 1;
            }
            results.append(*r);
        }
        times.push_back(double(timer.nsecsElapsed()) / 1e6);
        cpuTimes.push_back(threadCpuMs() - cpuStart);
    }
    for (const FieldAgreement &f : results) {
        out << "  " << f.field << ": percent " << f.percentAgreement.value_or(-1) << ", fleiss "
            << f.fleissKappa.value_or(-1) << ", alpha " << f.alpha.value_or(-1) << ", " << f.pairs.size()
            << " pairs" << Qt::endl;
    }
    out << "all statistics without bootstrap, one thread: median " << QString::number(median(times), 'f', 1)
        << " ms wall, " << QString::number(median(cpuTimes), 'f', 1) << " ms CPU over " << runs
        << " runs (min " << QString::number(*std::min_element(times.begin(), times.end()), 'f', 1)
        << " ms wall)" << Qt::endl;

    const int replicates = parser.value(bootstrapOption).toInt();
    if (replicates > 0) {
        AgreementOptions options;
        options.bootstrap = true;
        options.replicates = replicates;
        const AgreementCalculator withBootstrap(options);
        timer.restart();
        const double cpuStart = threadCpuMs();
        for (const RatingTable &t : tables)
            withBootstrap.compute(t);
        out << "with a " << replicates << "-replicate bootstrap: " << timer.elapsed() << " ms wall, "
            << QString::number(threadCpuMs() - cpuStart, 'f', 0) << " ms CPU" << Qt::endl;
    }

    if (parser.isSet(jsonOption)) {
        QFile file(parser.value(jsonOption));
        if (!file.open(QIODevice::WriteOnly)) {
            QTextStream(stderr) << file.errorString() << Qt::endl;
            return 1;
        }
        file.write(QJsonDocument(AgreementReport::toJson(results)).toJson());
    }
    return 0;
}
