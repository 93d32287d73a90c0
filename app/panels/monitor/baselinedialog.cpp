#include "baselinedialog.h"

#include "datapicker.h"
#include "studiocontext.h"

#include "cairn/data/csvreader.h"
#include "cairn/util/error.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QVBoxLayout>

namespace cairn::panels {

BaselineDialog::BaselineDialog(const QString &endpoint, const QPair<QString, QString> &trainingData, QWidget *parent)
    : QDialog(parent), m_training(trainingData), m_fromModel(new QRadioButton(this)), m_fromFile(new QRadioButton(tr("Another CSV file:"), this)),
      m_path(new QLineEdit(this)), m_target(new QComboBox(this)), m_exclude(new QLineEdit(this)), m_problem(new QLabel(this)),
      m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("Baseline of %1").arg(endpoint));
    auto *v = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("Monitoring compares the captured requests with a baseline: the statistics of the data the model "
                                "learned from, and constraints (types, completeness, values, drift thresholds) you can relax later "
                                "in constraints.json."),
                             this);
    intro->setWordWrap(true);
    v->addWidget(intro);
    if (trainingData.first.isEmpty()) {
        m_fromModel->setText(tr("The model's training data (not known: the endpoint is not running or its model is not registered)"));
        m_fromModel->setEnabled(false);
        m_fromFile->setChecked(true);
    } else {
        m_fromModel->setText(tr("The model's training data: %1").arg(QDir::toNativeSeparators(trainingData.first)));
        m_fromModel->setChecked(true);
    }
    v->addWidget(m_fromModel);
    auto *fileRow = new QHBoxLayout;
    fileRow->addWidget(m_fromFile);
    m_path->setClearButtonEnabled(true);
    fileRow->addWidget(m_path, 1);
    auto *browse = new QPushButton(tr("Browse…"), this);
    fileRow->addWidget(browse);
    v->addLayout(fileRow);
    auto *form = new QFormLayout;
    m_target->setEditable(false);
    m_target->setToolTip(tr("The label column: left out of the features (the captured requests do not carry it)"));
    form->addRow(tr("Label column:"), m_target);
    m_exclude->setPlaceholderText(tr("e.g. id, name (comma-separated)"));
    m_exclude->setToolTip(tr("Columns that are not features, such as ids: their values always differ"));
    form->addRow(tr("Leave out:"), m_exclude);
    v->addLayout(form);
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("color: #d62728;"));
    m_problem->setVisible(false);
    v->addWidget(m_problem);
    v->addWidget(m_buttons);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Create baseline"));

    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Baseline data"), gui::StudioContext::dialogFolder(), tr("CSV files (*.csv);;All files (*)"));
        if (path.isEmpty())
            return;
        gui::StudioContext::rememberDialogPath(path);
        m_path->setText(path);
        m_fromFile->setChecked(true);
    });
    connect(m_path, &QLineEdit::editingFinished, this, &BaselineDialog::readColumns);
    connect(m_path, &QLineEdit::textChanged, this, [this] {
        if (!m_path->text().isEmpty())
            m_fromFile->setChecked(true);
    });
    connect(m_fromModel, &QRadioButton::toggled, this, &BaselineDialog::readColumns);
    connect(m_fromFile, &QRadioButton::toggled, this, &BaselineDialog::readColumns);
    readColumns();
    resize(640, sizeHint().height());
}

QString BaselineDialog::csvPath() const
{
    return m_fromModel->isChecked() ? m_training.first : m_path->text().trimmed();
}

QString BaselineDialog::target() const
{
    return m_target->currentData().toString();
}

QStringList BaselineDialog::excludedColumns() const
{
    QStringList out;
    for (const QString &c : m_exclude->text().split(QLatin1Char(','), Qt::SkipEmptyParts))
        if (!c.trimmed().isEmpty())
            out << c.trimmed();
    return out;
}

void BaselineDialog::readColumns()
{
    const QString path = csvPath();
    const QString keep = m_target->currentData().toString();
    m_target->clear();
    m_target->addItem(tr("(none)"), QString());
    m_problem->setVisible(false);
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(false);
    if (path.isEmpty())
        return;
    QStringList columns;
    try {
        data::CsvOptions head;
        head.maxRows = 20; // the header and a few rows: the columns, not the data
        columns = data::CsvReader::read(path, head).columnNames();
    } catch (const Error &e) {
        m_problem->setText(e.message());
        m_problem->setVisible(true);
        return;
    }
    for (const QString &c : columns)
        m_target->addItem(c, c);
    QString pick = keep;
    if (pick.isEmpty() || m_target->findData(pick) < 0)
        pick = m_fromModel->isChecked() && !m_training.second.isEmpty() ? m_training.second : gui::DataPicker::guessTarget(columns);
    m_target->setCurrentIndex(std::max(0, m_target->findData(pick)));
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(true);
}

} // namespace cairn::panels
