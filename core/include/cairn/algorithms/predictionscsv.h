#pragma once

#include "cairn/algorithms/algorithmplugin.h"

#include <QByteArray>
#include <QStringList>

namespace cairn {

struct Contributions;
namespace data { class Table; }

/// The CSV that `cairn predict` and the studio's batch prediction write: the `keep` columns of
/// `input`, then "prediction" ("cluster" for clustering), one "probability_<class>" column per
/// class for classifiers, and with `contributions` one "contribution_<column>" per input column
/// plus "contribution_base".
QByteArray predictionsCsv(const Predictions &predictions, const data::Table *input = nullptr, const QStringList &keep = {},
                          const Contributions *contributions = nullptr);

} // namespace cairn
