#pragma once
// What the panel tests that run real XGBoost jobs share: the shared data sets, where screenshots
// go, and the check that the data and the xgboost plugin are here.

#include "cairn/algorithms/pluginmanager.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonObject>
#include <QString>
#include <QTest>

namespace xgboostpanel {

/// A table of the shared data, e.g. "titanic.csv" → …/shared/data/tabular/titanic.csv.
inline QString sharedTable(const QString &fileName)
{
    return QDir::cleanPath(QDir(QStringLiteral(CAIRN_SHARED_DATA_DIR)).filePath(QStringLiteral("tabular/") + fileName));
}

inline QString screenshotPath(const QString &name)
{
    const QString dir = QDir(QStringLiteral(CAIRN_BUILD_DIR)).filePath(QStringLiteral("screenshots"));
    QDir().mkpath(dir);
    return QDir(dir).filePath(name);
}

/// Points the panels' jobs at the built `cairn`, and says why XGBoost on `dataFile` cannot run
/// here (empty when it can), for initTestCase() to QSKIP with. Missing shared data is a failure
/// (as for every e2e test), not a skip that ctest would show as passed.
inline QString setUp(const QString &dataFile)
{
    qputenv("CAIRN_CLI", CAIRN_CLI_PATH);
    if (!QFileInfo::exists(dataFile)) {
        const QString why = QStringLiteral("the shared data (%1) is missing: ../shared/data must sit beside the checkout").arg(dataFile);
        QTest::qFail(qPrintable(why), __FILE__, __LINE__);
        return why;
    }
    cairn::PluginManager plugins;
    for (const QJsonObject &m : plugins.algorithmMetadata()) {
        if (m.value(QStringLiteral("id")).toString() == QLatin1String("xgboost"))
            return {};
    }
    return QStringLiteral("the xgboost plugin is not built");
}

} // namespace xgboostpanel
