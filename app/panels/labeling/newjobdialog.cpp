#include "newjobdialog.h"
#include "studiocontext.h"

#include "cairn/util/error.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QVBoxLayout>

#include <algorithm>

namespace cairn::panels {

using namespace cairn::labeling;

NewJobDialog::NewJobDialog(const QString &workspacePath, QWidget *parent)
    : QDialog(parent), m_workspace(workspacePath), m_name(new QLineEdit(this)), m_folder(new QRadioButton(tr("Image folder"), this)),
      m_manifest(new QRadioButton(tr("Input manifest"), this)), m_source(new QLineEdit(this)), m_type(new QComboBox(this)),
      m_labels(new QLineEdit(this)), m_instructions(new QPlainTextEdit(this)), m_problem(new QLabel(this)),
      m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("New Labeling Job"));
    m_name->setPlaceholderText(tr("e.g. garments-2026"));
    m_folder->setChecked(true);
    m_source->setPlaceholderText(tr("Folder of images (searched recursively)"));
    auto *browse = new QPushButton(tr("Browse…"), this);
    auto *sourceRow = new QHBoxLayout;
    sourceRow->addWidget(m_source, 1);
    sourceRow->addWidget(browse);
    auto *kindRow = new QHBoxLayout;
    kindRow->addWidget(m_folder);
    kindRow->addWidget(m_manifest);
    kindRow->addStretch();
    m_type->addItem(tr("Image classification (single label)"), int(TaskType::SingleLabel));
    m_type->addItem(tr("Multi-label classification"), int(TaskType::MultiLabel));
    m_type->addItem(tr("Bounding boxes"), int(TaskType::BoundingBox));
    m_labels->setPlaceholderText(tr("Comma-separated, e.g. cat, dog, bird (keys 1, 2, 3…)"));
    m_instructions->setPlaceholderText(tr("What labelers should look for, and edge cases."));
    m_instructions->setMaximumHeight(90);
    // Wide enough for every hint in full, in any language (the source hint changes with the kind).
    const QString manifestHint = tr("JSON Lines file with \"source-ref\" per line");
    for (QLineEdit *e : {m_name, m_source, m_labels}) {
        int width = e->fontMetrics().horizontalAdvance(e->placeholderText());
        if (e == m_source)
            width = std::max(width, e->fontMetrics().horizontalAdvance(manifestHint));
        e->setMinimumWidth(width + 24);
    }
    m_problem->setStyleSheet(QStringLiteral("color: #c62828"));
    m_problem->setWordWrap(true);

    auto *form = new QFormLayout;
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("Images from:"), kindRow);
    form->addRow(QString(), sourceRow);
    form->addRow(tr("&Task:"), m_type);
    form->addRow(tr("&Labels:"), m_labels);
    form->addRow(tr("&Instructions:"), m_instructions);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_problem);
    layout->addWidget(m_buttons);

    connect(browse, &QPushButton::clicked, this, &NewJobDialog::browse);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    for (QLineEdit *e : {m_name, m_source, m_labels})
        connect(e, &QLineEdit::textChanged, this, &NewJobDialog::validate);
    connect(m_manifest, &QRadioButton::toggled, this, [this, manifestHint](bool on) {
        m_source->setPlaceholderText(on ? manifestHint : tr("Folder of images (searched recursively)"));
        validate();
    });
    validate();
}

void NewJobDialog::browse()
{
    const QString start = m_source->text().isEmpty() ? gui::StudioContext::dialogFolder() : m_source->text();
    const QString path = m_manifest->isChecked()
        ? QFileDialog::getOpenFileName(this, tr("Input Manifest"), start, tr("Manifests (*.manifest *.jsonl *.json);;All files (*)"))
        : QFileDialog::getExistingDirectory(this, tr("Image Folder"), start);
    if (path.isEmpty())
        return;
    gui::StudioContext::rememberDialogPath(path);
    m_source->setText(path);
}

JobSettings NewJobDialog::settings() const
{
    JobSettings s;
    s.name = m_name->text().trimmed();
    s.type = TaskType(m_type->currentData().toInt());
    for (const QString &n : m_labels->text().split(QLatin1Char(','), Qt::SkipEmptyParts))
        if (!n.trimmed().isEmpty())
            s.classes << LabelClass{0, n.trimmed(), {}, {}};
    s.instructions = m_instructions->toPlainText().trimmed();
    return s;
}

bool NewJobDialog::fromManifest() const
{
    return m_manifest->isChecked();
}

QString NewJobDialog::sourcePath() const
{
    return m_source->text().trimmed();
}

QString NewJobDialog::problem() const
{
    const JobSettings s = settings();
    if (s.name.isEmpty())
        return tr("Give the job a name.");
    try {
        LabelingJob::validateName(s.name);
    } catch (const Error &) {
        return tr("Use letters, digits and hyphens for the name (up to 63).");
    }
    if (LabelingJob::exists(m_workspace, s.name))
        return tr("A job named %1 exists already.").arg(s.name);
    const QFileInfo source(sourcePath());
    if (sourcePath().isEmpty())
        return fromManifest() ? tr("Choose an input manifest.") : tr("Choose a folder of images.");
    if (fromManifest() ? !source.isFile() : !source.isDir())
        return fromManifest() ? tr("The manifest does not exist.") : tr("The folder does not exist.");
    if (s.classes.isEmpty() && !fromManifest())
        return tr("List at least one label.");
    return {};
}

void NewJobDialog::validate()
{
    const QString p = problem();
    m_problem->setText(p);
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(p.isEmpty());
}

} // namespace cairn::panels
