#include "parameterform.h"

#include "cairn/tuning/searchspace.h"
#include "cairn/util/error.h"

#include <QCheckBox>
#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QSpinBox>
#include <QStyle>
#include <QToolButton>

#include <climits>
#include <cmath>

namespace cairn::gui {

namespace {

QString numberText(double v)
{
    return QString::number(v, 'g', 10);
}

QString valueText(const QJsonValue &v)
{
    if (v.isDouble())
        return numberText(v.toDouble());
    if (v.isBool())
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    return v.toString();
}

/// A starting range for tuning: the schema's bounds, narrowed around the default when they span
/// several orders of magnitude (tuning num_round over 1…100000 is rarely what anyone wants).
std::pair<double, double> suggestedRange(const Parameter &p)
{
    const double def = p.defaultValue.toDouble();
    double lo = p.min.value_or(def > 0 ? def / 10 : def - 10);
    double hi = p.max.value_or(def > 0 ? def * 10 : def + 10);
    if (def > 0) {
        const double floor = lo > 0 ? lo : def / 1000;
        if (hi / floor > 1000) {
            lo = std::max(lo, def / 10);
            hi = std::min(hi, def * 10);
        }
    } else if (def == 0 && hi - lo > 100) {
        hi = lo + 10;
    }
    if (p.type == Parameter::Type::Int) {
        lo = std::ceil(lo);
        hi = std::floor(hi);
        if (hi <= lo)
            hi = lo + 1;
    }
    return {lo, hi};
}

} // namespace

struct ParameterForm::Row
{
    Parameter param;
    QLabel *label = nullptr;
    QWidget *editor = nullptr;
    QSpinBox *spin = nullptr;
    QLineEdit *line = nullptr;
    QComboBox *combo = nullptr;
    QCheckBox *check = nullptr;
    QLabel *message = nullptr;
    QString error;
    // Tuning mode
    QCheckBox *tune = nullptr;
    QWidget *rangeBox = nullptr;
    QLineEdit *low = nullptr;
    QLineEdit *high = nullptr;
    QCheckBox *log = nullptr;
    QToolButton *choices = nullptr;
    QMenu *choiceMenu = nullptr;
    QString rangeError;
};

ParameterForm::ParameterForm(QWidget *parent) : QWidget(parent), m_grid(new QGridLayout(this))
{
    m_grid->setContentsMargins(0, 0, 0, 0);
    m_grid->setVerticalSpacing(2);
}

ParameterForm::~ParameterForm() = default;

void ParameterForm::setMode(Mode mode)
{
    if (mode == m_mode)
        return;
    const QJsonObject kept = values();
    m_mode = mode;
    setSchema(m_schema);
    setValues(kept);
}

void ParameterForm::clearRows()
{
    while (QLayoutItem *item = m_grid->takeAt(0)) {
        if (QWidget *w = item->widget())
            w->deleteLater();
        delete item;
    }
    m_rows.clear();
    m_header = nullptr;
}

void ParameterForm::setSchema(const ParameterSchema &schema)
{
    m_updating = true;
    clearRows();
    m_schema = schema;
    int gridRow = 0;
    if (m_mode == Mode::Tuning && !schema.parameters().isEmpty()) {
        auto header = [&](const QString &text, int column) {
            auto *l = new QLabel(QStringLiteral("<b>%1</b>").arg(text.toHtmlEscaped()), this);
            m_grid->addWidget(l, 0, column);
            return l;
        };
        m_header = header(tr("Tune"), 0);
        header(tr("Parameter"), 1);
        header(tr("Value"), 2);
        header(tr("Search range"), 3);
        gridRow = 1;
    }
    for (const Parameter &p : schema.parameters()) {
        addRow(p, gridRow);
        gridRow += 2;
    }
    m_grid->setColumnStretch(m_mode == Mode::Tuning ? 3 : 1, 1);
    m_grid->setRowStretch(gridRow, 1);
    m_updating = false;
    for (auto &r : m_rows)
        validateRow(*r);
    m_lastValid = isValid();
    Q_EMIT changed();
    Q_EMIT validityChanged(m_lastValid);
}

void ParameterForm::addRow(const Parameter &p, int gridRow)
{
    auto owned = std::make_unique<Row>();
    Row &r = *owned;
    r.param = p;
    const int col = m_mode == Mode::Tuning ? 1 : 0;

    QString tip = QStringLiteral("<b>%1</b>").arg(p.name.toHtmlEscaped());
    if (!p.help.isEmpty())
        tip += QStringLiteral("<br>") + p.help.toHtmlEscaped();
    tip += QStringLiteral("<br>") + tr("Default: %1").arg(valueText(p.defaultValue).toHtmlEscaped());
    if (p.min || p.max)
        tip += QStringLiteral("<br>") + tr("Range: %1 to %2")
                                            .arg(p.min ? numberText(*p.min) : QStringLiteral("−∞"), p.max ? numberText(*p.max) : QStringLiteral("∞"));
    if (p.type == Parameter::Type::Choice)
        tip += QStringLiteral("<br>") + tr("One of: %1").arg(p.choices.join(QStringLiteral(", ")).toHtmlEscaped());

    r.label = new QLabel(p.name, this);
    r.label->setToolTip(tip);
    m_grid->addWidget(r.label, gridRow, col);

    switch (p.type) {
    case Parameter::Type::Int: {
        const bool fits = (!p.min || *p.min >= INT_MIN) && (!p.max || *p.max <= INT_MAX);
        if (fits) {
            r.spin = new QSpinBox(this);
            r.spin->setRange(p.min ? int(*p.min) : INT_MIN, p.max ? int(*p.max) : INT_MAX);
            r.spin->setAccelerated(true);
            connect(r.spin, &QSpinBox::valueChanged, this, [this, name = p.name] {
                if (Row *x = row(name))
                    validateRow(*x);
                afterEdit();
            });
            r.editor = r.spin;
            break;
        }
        [[fallthrough]];
    }
    case Parameter::Type::Float:
    case Parameter::Type::String:
        r.line = new QLineEdit(this);
        r.line->setClearButtonEnabled(false);
        connect(r.line, &QLineEdit::textEdited, this, [this, name = p.name] {
            if (Row *x = row(name))
                validateRow(*x);
            afterEdit();
        });
        r.editor = r.line;
        break;
    case Parameter::Type::Choice:
        r.combo = new QComboBox(this);
        r.combo->addItems(p.choices);
        // Long choices (XGBoost's objectives) should not set the width of the whole form.
        r.combo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        r.combo->setMinimumContentsLength(10);
        connect(r.combo, &QComboBox::currentIndexChanged, this, [this, name = p.name] {
            if (Row *x = row(name))
                validateRow(*x);
            afterEdit();
        });
        r.editor = r.combo;
        break;
    case Parameter::Type::Bool:
        r.check = new QCheckBox(this);
        connect(r.check, &QCheckBox::toggled, this, [this, name = p.name] {
            if (Row *x = row(name))
                validateRow(*x);
            afterEdit();
        });
        r.editor = r.check;
        break;
    }
    r.editor->setObjectName(QStringLiteral("param_") + p.name);
    r.editor->setToolTip(tip);
    m_grid->addWidget(r.editor, gridRow, col + 1);

    r.message = new QLabel(this);
    r.message->setObjectName(QStringLiteral("message_") + p.name);
    r.message->setWordWrap(true);
    QPalette pal = r.message->palette();
    pal.setColor(QPalette::WindowText, QColor(0xd0, 0x30, 0x30));
    r.message->setPalette(pal);
    r.message->hide();
    m_grid->addWidget(r.message, gridRow + 1, col, 1, m_mode == Mode::Tuning ? 3 : 2);

    if (m_mode == Mode::Tuning && p.tunable && p.type != Parameter::Type::String) {
        r.tune = new QCheckBox(this);
        r.tune->setObjectName(QStringLiteral("tune_") + p.name);
        r.tune->setToolTip(tr("Let the tuner vary %1 within the range on the right").arg(p.name));
        m_grid->addWidget(r.tune, gridRow, 0, Qt::AlignHCenter);
        r.rangeBox = new QWidget(this);
        auto *h = new QHBoxLayout(r.rangeBox);
        h->setContentsMargins(0, 0, 0, 0);
        if (p.type == Parameter::Type::Int || p.type == Parameter::Type::Float) {
            const auto [lo, hi] = suggestedRange(p);
            r.low = new QLineEdit(numberText(lo), r.rangeBox);
            r.high = new QLineEdit(numberText(hi), r.rangeBox);
            r.low->setObjectName(QStringLiteral("low_") + p.name);
            r.high->setObjectName(QStringLiteral("high_") + p.name);
            r.low->setToolTip(tr("Lowest value the tuner tries"));
            r.high->setToolTip(tr("Highest value the tuner tries"));
            r.low->setMaximumWidth(80);
            r.high->setMaximumWidth(80);
            r.log = new QCheckBox(tr("log"), r.rangeBox);
            r.log->setObjectName(QStringLiteral("log_") + p.name);
            r.log->setToolTip(tr("Search on a log scale (for values spanning orders of magnitude)"));
            r.log->setChecked(p.logScale && lo > 0);
            h->addWidget(r.low);
            h->addWidget(new QLabel(QStringLiteral("–"), r.rangeBox));
            h->addWidget(r.high);
            h->addWidget(r.log);
            for (QLineEdit *e : {r.low, r.high})
                connect(e, &QLineEdit::textEdited, this, [this, name = p.name] {
                    if (Row *x = row(name))
                        validateRow(*x);
                    afterEdit();
                });
            connect(r.log, &QCheckBox::toggled, this, [this, name = p.name] {
                if (Row *x = row(name))
                    validateRow(*x);
                afterEdit();
            });
        } else {
            r.choices = new QToolButton(r.rangeBox);
            r.choices->setObjectName(QStringLiteral("choices_") + p.name);
            r.choices->setPopupMode(QToolButton::InstantPopup);
            r.choices->setToolButtonStyle(Qt::ToolButtonTextOnly);
            r.choiceMenu = new QMenu(r.choices);
            const QStringList options = p.type == Parameter::Type::Bool ? QStringList{QStringLiteral("false"), QStringLiteral("true")} : p.choices;
            for (const QString &c : options) {
                QAction *a = r.choiceMenu->addAction(c);
                a->setCheckable(true);
                a->setChecked(true);
                connect(a, &QAction::toggled, this, [this, name = p.name] {
                    if (Row *x = row(name)) {
                        updateRangeWidgets(*x);
                        validateRow(*x);
                    }
                    afterEdit();
                });
            }
            r.choices->setMenu(r.choiceMenu);
            h->addWidget(r.choices);
        }
        h->addStretch(1);
        m_grid->addWidget(r.rangeBox, gridRow, 3);
        connect(r.tune, &QCheckBox::toggled, this, [this, name = p.name] {
            if (Row *x = row(name)) {
                updateRangeWidgets(*x);
                validateRow(*x);
            }
            afterEdit();
        });
    }
    m_rows.push_back(std::move(owned));
    setRowValue(r, p.defaultValue);
    updateRangeWidgets(r);
}

ParameterForm::Row *ParameterForm::row(const QString &name) const
{
    for (const auto &r : m_rows)
        if (r->param.name == name)
            return r.get();
    return nullptr;
}

void ParameterForm::setRowValue(Row &r, const QJsonValue &value)
{
    const bool was = m_updating;
    m_updating = true;
    if (r.spin)
        r.spin->setValue(int(value.toDouble()));
    else if (r.line)
        r.line->setText(valueText(value));
    else if (r.combo)
        r.combo->setCurrentIndex(std::max(0, int(r.param.choices.indexOf(value.toString()))));
    else if (r.check)
        r.check->setChecked(value.isBool() ? value.toBool() : valueText(value) == QLatin1String("true"));
    m_updating = was;
}

QJsonValue ParameterForm::rowValue(const Row &r, QString *error) const
{
    if (r.spin)
        return double(r.spin->value());
    if (r.line)
        return r.param.parse(r.line->text(), error);
    if (r.combo)
        return r.combo->currentText();
    if (r.check)
        return r.check->isChecked();
    return {};
}

QString ParameterForm::rangeText(const Row &r) const
{
    if (r.choiceMenu) {
        QStringList picked;
        for (QAction *a : r.choiceMenu->actions())
            if (a->isChecked())
                picked << a->text();
        return r.param.name + QLatin1Char('=') + picked.join(QLatin1Char(','));
    }
    if (!r.low)
        return {};
    QString flags;
    if (r.param.type == Parameter::Type::Int)
        flags = r.log->isChecked() ? QStringLiteral(":intlog") : QStringLiteral(":int");
    else if (r.log->isChecked())
        flags = QStringLiteral(":log");
    return QStringLiteral("%1=%2:%3%4").arg(r.param.name, r.low->text().trimmed(), r.high->text().trimmed(), flags);
}

void ParameterForm::updateRangeWidgets(Row &r)
{
    const bool tuned = r.tune && r.tune->isChecked();
    if (r.rangeBox)
        r.rangeBox->setEnabled(tuned);
    // A tuned parameter's value comes from the tuner; the fixed value does not apply.
    r.editor->setEnabled(!tuned);
    if (r.choices) {
        QStringList picked;
        for (QAction *a : r.choiceMenu->actions())
            if (a->isChecked())
                picked << a->text();
        const QString all = picked.join(QStringLiteral(", "));
        // Long choice lists (XGBoost's objectives) would widen the whole form: count them instead.
        const QString shown = picked.isEmpty()                           ? tr("(none)")
                              : r.choices->fontMetrics().horizontalAdvance(all) <= 200 ? all
                                                                                       : tr("%1 of %2 values").arg(picked.size()).arg(r.choiceMenu->actions().size());
        r.choices->setText(shown);
        // The grid may squeeze the button below its text: the summary and the menu arrow must stay whole.
        r.choices->setMinimumWidth(r.choices->fontMetrics().horizontalAdvance(shown)
                                   + r.choices->style()->pixelMetric(QStyle::PM_MenuButtonIndicator, nullptr, r.choices) + 16);
        r.choices->setToolTip(tr("The values the tuner picks from: %1").arg(picked.isEmpty() ? tr("(none)") : all));
    }
}

void ParameterForm::validateRow(Row &r)
{
    r.error.clear();
    r.rangeError.clear();
    const bool tuned = r.tune && r.tune->isChecked();
    if (!tuned) {
        QString error;
        const QJsonValue v = rowValue(r, &error);
        if (v.isUndefined())
            r.error = error.isEmpty() ? tr("%1: not a valid value").arg(r.param.name) : error;
        else
            r.error = r.param.check(v);
        QFont f = r.label->font();
        f.setBold(r.error.isEmpty() && v != r.param.defaultValue);
        r.label->setFont(f);
    } else {
        try {
            tuning::SearchSpace::fromRanges(m_schema, {rangeText(r)});
        } catch (const Error &e) {
            r.rangeError = e.message();
        }
    }
    const QString shown = !r.error.isEmpty() ? r.error : r.rangeError;
    r.message->setText(shown);
    r.message->setVisible(!shown.isEmpty());
    QWidget *bad = !r.error.isEmpty() ? r.editor : nullptr;
    for (QWidget *w : {r.editor, static_cast<QWidget *>(r.low), static_cast<QWidget *>(r.high)}) {
        if (!w)
            continue;
        const bool flag = w == bad || (!r.rangeError.isEmpty() && (w == r.low || w == r.high));
        w->setStyleSheet(flag ? QStringLiteral("border: 1px solid #d03030;") : QString());
    }
}

void ParameterForm::afterEdit()
{
    if (m_updating)
        return;
    Q_EMIT changed();
    const bool valid = isValid();
    if (valid != m_lastValid) {
        m_lastValid = valid;
        Q_EMIT validityChanged(valid);
    }
}

QJsonObject ParameterForm::values() const
{
    QJsonObject out;
    for (const auto &r : m_rows) {
        QString error;
        const QJsonValue v = rowValue(*r, &error);
        if (!v.isUndefined() && r->param.check(v).isEmpty())
            out.insert(r->param.name, r->param.type == Parameter::Type::Int ? QJsonValue(qint64(v.toDouble())) : v);
    }
    return out;
}

void ParameterForm::setValues(const QJsonObject &values)
{
    m_updating = true;
    for (auto &r : m_rows) {
        const auto it = values.constFind(r->param.name);
        QJsonValue v = it != values.constEnd() ? *it : r->param.defaultValue;
        // Values from a spec or a run's params may come as text ("0.3", "true").
        if (v.isString() && r->param.type != Parameter::Type::String && r->param.type != Parameter::Type::Choice) {
            QString ignored;
            const QJsonValue parsed = r->param.parse(v.toString(), &ignored);
            if (!parsed.isUndefined())
                v = parsed;
        }
        setRowValue(*r, v);
        validateRow(*r);
    }
    m_updating = false;
    afterEdit();
    Q_EMIT changed();
}

void ParameterForm::resetToDefaults()
{
    setValues({});
}

bool ParameterForm::setText(const QString &name, const QString &text)
{
    Row *r = row(name);
    if (!r)
        return false;
    if (r->line) {
        r->line->setText(text);
    } else {
        QString error;
        const QJsonValue v = r->param.parse(text, &error);
        if (v.isUndefined())
            return false;
        setRowValue(*r, v);
    }
    validateRow(*r);
    afterEdit();
    return true;
}

QWidget *ParameterForm::editor(const QString &name) const
{
    const Row *r = row(name);
    return r ? r->editor : nullptr;
}

QLabel *ParameterForm::messageLabel(const QString &name) const
{
    const Row *r = row(name);
    return r ? r->message : nullptr;
}

bool ParameterForm::isValid() const
{
    for (const auto &r : m_rows)
        if (!r->error.isEmpty() || !r->rangeError.isEmpty())
            return false;
    return true;
}

QStringList ParameterForm::problems() const
{
    QStringList out;
    for (const auto &r : m_rows) {
        if (!r->error.isEmpty())
            out << r->error;
        if (!r->rangeError.isEmpty())
            out << r->rangeError;
    }
    return out;
}

bool ParameterForm::isTunable(const QString &name) const
{
    const Row *r = row(name);
    return r && r->tune;
}

void ParameterForm::setTuned(const QString &name, bool tuned)
{
    if (Row *r = row(name); r && r->tune)
        r->tune->setChecked(tuned);
}

bool ParameterForm::isTuned(const QString &name) const
{
    const Row *r = row(name);
    return r && r->tune && r->tune->isChecked();
}

QStringList ParameterForm::tunedNames() const
{
    QStringList out;
    for (const auto &r : m_rows)
        if (r->tune && r->tune->isChecked())
            out << r->param.name;
    return out;
}

void ParameterForm::setRange(const QString &name, const QString &range)
{
    Row *r = row(name);
    if (!r || !r->rangeBox)
        return;
    if (r->choiceMenu) {
        const QStringList picked = range.split(QLatin1Char(','), Qt::SkipEmptyParts);
        for (QAction *a : r->choiceMenu->actions()) {
            const QSignalBlocker block(a);
            a->setChecked(picked.contains(a->text()));
        }
    } else {
        const QStringList parts = range.split(QLatin1Char(':'));
        r->low->setText(parts.value(0).trimmed());
        r->high->setText(parts.value(1).trimmed());
        const QSignalBlocker block(r->log);
        r->log->setChecked(parts.value(2).endsWith(QLatin1String("log"), Qt::CaseInsensitive));
    }
    updateRangeWidgets(*r);
    validateRow(*r);
    afterEdit();
}

QStringList ParameterForm::ranges() const
{
    QStringList out;
    for (const auto &r : m_rows)
        if (r->tune && r->tune->isChecked())
            out << rangeText(*r);
    return out;
}

} // namespace cairn::gui
