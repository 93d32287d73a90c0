#pragma once

#include "cairn/algorithms/algorithmplugin.h"
#include "cairn/algorithms/modelcard.h"
#include "cairn/data/csvreader.h"
#include "cairn/data/table.h"
#include "cairn/util/error.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QStringList>

#include <memory>
#include <mutex>

namespace cairn {
class PluginManager;
}

namespace cairn::serving {

/// How rows travel in a request or an answer.
enum class PayloadFormat { Csv, Json, JsonLines };

/// text/csv, application/json, application/jsonlines (and x-ndjson); nullopt for others.
std::optional<PayloadFormat> payloadFormatOf(QByteArrayView contentType);
QByteArray contentTypeOf(PayloadFormat format);

/// A payload that cannot be read as the model's rows: `row` is the 1-based data row (0 when
/// the payload as a whole is wrong) and `column` the column it concerns (may be empty).
class PayloadError : public Error
{
public:
    PayloadError(const QString &message, qsizetype row = 0, QString column = {})
        : Error(message), m_row(row), m_column(std::move(column)) {}
    qsizetype row() const { return m_row; }
    QString column() const { return m_column; }
    /// {"error": message, "row": n, "column": name} (row and column when known).
    QByteArray toJson() const;

private:
    qsizetype m_row;
    QString m_column;
};

/// A model loaded once for serving and batch transform, shared by every thread that answers
/// requests: the predictor `cairn predict` uses (its whole preprocessing included) and the
/// readers that turn request bodies into the rows it expects, typed by the model card's input
/// schema so that a one-row request is read exactly as the same row in a file.
class ServedModel
{
public:
    /// Loads the model in `modelDir` (a folder with model.json; ensembles included). Throws
    /// cairn::Error when it cannot be loaded or takes images (served tables only).
    ServedModel(PluginManager &plugins, const QString &modelDir);
    ~ServedModel();

    const ModelCard &card() const { return m_card; }
    QString modelDir() const { return m_modelDir; }
    /// The columns the model reads, in the order a CSV without a header row must give them.
    QStringList inputColumns() const { return m_columns; }
    /// True when predict() runs concurrently; else calls take turns (see predict()).
    bool concurrent() const { return m_concurrent; }
    /// An image model (the CNN): it predicts images (predictImages), not rows.
    bool takesImages() const { return m_images; }

    /// Reads a request body (CSV with or without a header row, JSON in MLflow's and
    /// SageMaker's forms, JSON Lines). Throws PayloadError naming the row and column.
    data::Table read(QByteArrayView body, PayloadFormat format) const;
    /// CSV text of raw rows with a header (as a file) into a table typed like the model's input.
    data::Table readCsv(QByteArrayView csvWithHeader, const QString &source) const;
    /// Predicts the rows of `table` (callable from any thread).
    Predictions predict(const data::Table &table) const;
    /// Predicts encoded images (PNG, JPEG...; `suffix` names the format, e.g. "png") with the
    /// model's own image preprocessing, as `cairn predict` does for files. Throws PayloadError
    /// for a model of tables.
    Predictions predictImages(const QList<QByteArray> &images, const QString &suffix) const;

    /// The answer in `format`: CSV exactly as `cairn predict` writes it (a header, then
    /// "prediction" or "cluster" and probability_<class> per class for classifiers), or JSON
    /// {"predictions": [{same names: values}]}, or one such object per line.
    static QByteArray format(const Predictions &predictions, PayloadFormat format);
    /// CSV lines without the header (for batch transform's .out files).
    static QByteArray csvRows(const Predictions &predictions);
    static QByteArray csvHeader(const Predictions &predictions);

private:
    QString m_modelDir;
    ModelCard m_card;
    std::unique_ptr<Predictor> m_predictor;
    QStringList m_columns;
    data::CsvOptions m_csvOptions;
    bool m_concurrent = false;
    bool m_images = false;
    mutable std::mutex m_mutex;
};

} // namespace cairn::serving
