// The Labeling panel on the offscreen platform: labeling fashion200 by keyboard, drawing and
// editing boxes on photos with the mouse, undo/redo, review mode, multi-label; screenshots
// go to <build>/screenshots/.
#include "imagecanvas.h"
#include "jobservice.h"
#include "labelingpanel.h"
#include "newjobdialog.h"
#include "studiocontext.h"
#include "thumbnailmodel.h"

#include "cairn/labeling/labelformats.h"
#include "cairn/labeling/labelingjob.h"

#include <QApplication>
#include <QComboBox>
#include <QLineEdit>
#include <QDir>
#include <QFileInfo>
#include <QListView>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QRadioButton>
#include <QSignalSpy>
#include <QItemSelectionModel>
#include <QtTest>

using namespace cairn;
using namespace cairn::labeling;
using namespace cairn::panels;

namespace {

const QString kFashion = QStringLiteral(CAIRN_SHARED_DATA_DIR "/images/fashion200");
const QString kPhotos = QStringLiteral(CAIRN_SHARED_DATA_DIR "/images/photos");
const QStringList kFashionClasses = {QStringLiteral("tshirt_top"), QStringLiteral("trouser"), QStringLiteral("pullover"),
                                     QStringLiteral("dress"),      QStringLiteral("coat"),    QStringLiteral("sandal"),
                                     QStringLiteral("shirt"),      QStringLiteral("sneaker"), QStringLiteral("bag"),
                                     QStringLiteral("ankle_boot")};

void makeJob(const QString &ws, const QString &name, TaskType type, const QString &folder, const QStringList &classes,
             const QString &instructions = {})
{
    JobSettings s;
    s.name = name;
    s.type = type;
    for (const QString &c : classes)
        s.classes << LabelClass{0, c, {}, {}};
    s.instructions = instructions;
    LabelingJob::create(ws, s, LabelingJob::scanImageFolder(folder));
}

void screenshot(QWidget &w, const QString &name)
{
    const QString dir = QStringLiteral(CAIRN_BUILD_DIR "/screenshots");
    QDir().mkpath(dir);
    QVERIFY(w.grab().save(dir + QLatin1Char('/') + name));
}

QPoint viewPoint(ImageCanvas *canvas, double x, double y)
{
    return canvas->mapFromScene(QPointF(x, y));
}

void drag(QWidget *viewport, QPoint from, QPoint to)
{
    QTest::mousePress(viewport, Qt::LeftButton, {}, from);
    const int steps = 5;
    for (int i = 1; i <= steps; ++i)
        QTest::mouseMove(viewport, from + (to - from) * i / steps);
    QTest::mouseRelease(viewport, Qt::LeftButton, {}, to);
}

} // namespace

class TestLabelingPanel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // A job made elsewhere (`cairn label create`, another studio) appears while the panel is
    // open, without a restart, and is opened when nothing else is.
    void listsJobsMadeElsewhere()
    {
        QTemporaryDir dir;
        gui::StudioContext context;
        context.openWorkspace(dir.path());
        LabelingPanel panel(&context);
        panel.resize(1000, 700);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QComboBox *jobs = nullptr;
        for (QComboBox *c : panel.findChildren<QComboBox *>())
            if (c->toolTip() == QLatin1String("Labeling jobs of this workspace"))
                jobs = c;
        QVERIFY(jobs);
        QCOMPARE(jobs->findData(QStringLiteral("made-elsewhere")), -1);
        makeJob(dir.path(), QStringLiteral("made-elsewhere"), TaskType::SingleLabel, kFashion, kFashionClasses);
        QTRY_VERIFY_WITH_TIMEOUT(jobs->findData(QStringLiteral("made-elsewhere")) >= 0, 15000);
        QTRY_COMPARE_WITH_TIMEOUT(jobs->currentData().toString(), QStringLiteral("made-elsewhere"), 15000);
    }

    void labelsFashionByKeyboard()
    {
        QTemporaryDir ws;
        makeJob(ws.path(), QStringLiteral("fashion"), TaskType::SingleLabel, kFashion, kFashionClasses,
                QStringLiteral("Press the key of the garment; S skips an image you cannot tell."));
        gui::StudioContext context;
        context.openWorkspace(ws.path());
        LabelingPanel panel(&context);
        panel.resize(1200, 760);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QVERIFY(panel.openJob(QStringLiteral("fashion")));
        QTRY_VERIFY(panel.imageShown());
        LabelingJob *job = panel.job();
        QCOMPARE(panel.currentItem(), 0);

        // Label 30 images with the key of their true class (the folder name).
        QList<int> labeled;
        for (int n = 0; n < 30; ++n) {
            const int item = panel.currentItem();
            const QString truth = QFileInfo(job->item(item).source).dir().dirName();
            const int cls = int(kFashionClasses.indexOf(truth));
            QVERIFY(cls >= 0);
            const QString key = job->classes().at(cls).key;
            QTest::keyClick(panel.canvas(), key.at(0).toLatin1());
            labeled << item;
            QCOMPARE(panel.currentItem(), item + 1);
            QTRY_VERIFY(panel.imageShown());
        }
        // Skip one, then undo the skip: the image is unlabeled again and shown.
        const int skipped = panel.currentItem();
        QTest::keyClick(panel.canvas(), Qt::Key_S);
        QCOMPARE(job->item(skipped).status, ItemStatus::Skipped);
        QTest::keyClick(panel.canvas(), Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(job->item(skipped).status, ItemStatus::Unlabeled);
        QCOMPARE(panel.currentItem(), skipped);
        QTest::keyClick(panel.canvas(), Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(job->item(skipped).status, ItemStatus::Skipped);
        QCOMPARE(panel.undoStack()->count(), 31);

        // Arrows move without labeling.
        const int here = panel.currentItem();
        QTest::keyClick(panel.canvas(), Qt::Key_Left);
        QCOMPARE(panel.currentItem(), here - 1);
        QTest::keyClick(panel.canvas(), Qt::Key_Right);
        QCOMPARE(panel.currentItem(), here);

        // Everything is on disk already.
        auto reopened = LabelingJob::open(ws.path(), QStringLiteral("fashion"));
        QCOMPARE(reopened->counts().labeled, 30);
        QCOMPARE(reopened->counts().skipped, 1);
        for (int item : labeled) {
            const QString truth = QFileInfo(reopened->item(item).source).dir().dirName();
            QCOMPARE(reopened->classes().at(reopened->item(item).annotation.classes.value(0)).name, truth);
        }

        // The grid loads thumbnails lazily; the filter shows only labeled images.
        QTRY_VERIFY(panel.thumbnails()->loadedCount() > 10);
        panel.setStatusFilter(ItemStatus::Labeled);
        QCOMPARE(panel.thumbnails()->rowCount(), 30);
        panel.setStatusFilter(std::nullopt);
        QCOMPARE(panel.thumbnails()->rowCount(), 200);
        panel.goToItem(here);
        QTRY_VERIFY(panel.imageShown());
        QTRY_VERIFY(panel.thumbnails()->pendingCount() == 0);
        QTest::qWait(50);
        screenshot(panel, QStringLiteral("labeling-fashion.png"));
    }

    void drawsAndEditsBoxesOnPhotos()
    {
        QTemporaryDir ws;
        makeJob(ws.path(), QStringLiteral("photos"), TaskType::BoundingBox, kPhotos,
                {QStringLiteral("animal"), QStringLiteral("vehicle"), QStringLiteral("object")},
                QStringLiteral("Draw a tight box around every animal, vehicle and object."));
        gui::StudioContext context;
        context.openWorkspace(ws.path());
        LabelingPanel panel(&context);
        panel.resize(1200, 760);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QVERIFY(panel.openJob(QStringLiteral("photos")));
        LabelingJob *job = panel.job();
        const int cat = job->indexOfSource(QDir::cleanPath(kPhotos + QStringLiteral("/skimage_chelsea.jpg")));
        QVERIFY(cat >= 0);
        panel.goToItem(cat);
        QTRY_VERIFY(panel.imageShown());
        ImageCanvas *canvas = panel.canvas();
        QCOMPARE(canvas->imageSize(), QSize(451, 300));
        QWidget *vp = canvas->viewport();

        // Draw a box around the cat's head.
        drag(vp, viewPoint(canvas, 140, 30), viewPoint(canvas, 300, 200));
        QCOMPARE(job->item(cat).annotation.boxes.size(), 1);
        Box b = job->item(cat).annotation.boxes.first();
        const double tol = 1.5 / canvas->zoom() + 1;
        QVERIFY2(std::abs(b.left - 140) <= tol && std::abs(b.top - 30) <= tol, qPrintable(QStringLiteral("%1,%2").arg(b.left).arg(b.top)));
        QVERIFY(std::abs(b.width - 160) <= 2 * tol && std::abs(b.height - 170) <= 2 * tol);
        QCOMPARE(b.classId, 0);
        QCOMPARE(job->item(cat).status, ItemStatus::Labeled);
        QCOMPARE(job->item(cat).size, (ImageSize{451, 300, 3}));

        // The new box is selected: a class key changes its class.
        QCOMPARE(canvas->selectedBox(), 0);
        QTest::keyClick(canvas, '3');
        QCOMPARE(job->item(cat).annotation.boxes.first().classId, 2);

        // Resize by the bottom-right handle.
        const QPoint corner = viewPoint(canvas, b.left + b.width, b.top + b.height);
        drag(vp, corner, corner + QPoint(30, 20));
        Box resized = job->item(cat).annotation.boxes.first();
        QCOMPARE(resized.left, b.left);
        QCOMPARE(resized.top, b.top);
        QVERIFY2(resized.width > b.width + 10 && resized.height > b.height + 5, qPrintable(QStringLiteral("%1x%2").arg(resized.width).arg(resized.height)));

        // Move it from its middle.
        const QPoint middle = viewPoint(canvas, resized.left + resized.width / 2.0, resized.top + resized.height / 2.0);
        drag(vp, middle, middle + QPoint(-40, 10));
        const Box moved = job->item(cat).annotation.boxes.first();
        QCOMPARE(moved.width, resized.width);
        QCOMPARE(moved.height, resized.height);
        QVERIFY(moved.left < resized.left - 10);

        // A second box with the class key chosen first, then deleted; undo brings it back.
        canvas->selectBox(-1);
        QTest::keyClick(canvas, '2');
        drag(vp, viewPoint(canvas, 20, 220), viewPoint(canvas, 120, 290));
        QCOMPARE(job->item(cat).annotation.boxes.size(), 2);
        QCOMPARE(job->item(cat).annotation.boxes.at(1).classId, 1);
        QTest::keyClick(canvas, Qt::Key_Delete);
        QCOMPARE(job->item(cat).annotation.boxes.size(), 1);
        QTest::keyClick(canvas, Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(job->item(cat).annotation.boxes.size(), 2);
        QCOMPARE(canvas->boxes().size(), 2);
        QTest::keyClick(canvas, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(canvas->boxes().size(), 1);
        QCOMPARE(job->item(cat).annotation.boxes.size(), 1);
        // Back to the right class for the cat.
        canvas->selectBox(0);
        QTest::keyClick(canvas, '1');
        QCOMPARE(job->item(cat).annotation.boxes.first().classId, 0);

        // Zoom and fit.
        const double fitted = canvas->zoom();
        QTest::keyClick(canvas, Qt::Key_Plus);
        QVERIFY(canvas->zoom() > fitted);
        QTest::keyClick(canvas, Qt::Key_F);
        QCOMPARE(canvas->zoom(), fitted);

        // On disk and in an export.
        auto reopened = LabelingJob::open(ws.path(), QStringLiteral("photos"));
        QCOMPARE(reopened->item(cat).annotation.boxes, job->item(cat).annotation.boxes);
        const QString line = manifestLine(*reopened, reopened->item(cat));
        QVERIFY2(line.contains(QLatin1String("\"image_size\": [{\"width\": 451, \"height\": 300, \"depth\": 3}]")), qPrintable(line));

        // The crosshair follows the pointer; select the first box for the screenshot.
        canvas->selectBox(0);
        QTest::mouseMove(vp, viewPoint(canvas, 330, 120));
        QTest::qWait(50);
        screenshot(panel, QStringLiteral("labeling-boxes.png"));
    }

    void reviewModeAcceptsAndFixesMachineLabels()
    {
        QTemporaryDir ws;
        makeJob(ws.path(), QStringLiteral("review"), TaskType::SingleLabel, kFashion, kFashionClasses);
        {
            auto job = LabelingJob::open(ws.path(), QStringLiteral("review"));
            const QList<std::pair<int, double>> machine = {{5, 0.9}, {6, 0.2}, {7, 0.5}};
            for (const auto &[i, conf] : machine) {
                Annotation a;
                a.classes = {9};
                a.confidences = {conf};
                a.human = false;
                job->setLabel(i, ItemStatus::NeedsReview, a);
            }
        }
        gui::StudioContext context;
        context.openWorkspace(ws.path());
        LabelingPanel panel(&context);
        panel.resize(1200, 760);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QVERIFY(panel.openJob(QStringLiteral("review")));
        QTest::keyClick(panel.canvas(), Qt::Key_R);
        QVERIFY(panel.reviewMode());
        QCOMPARE(panel.thumbnails()->sequence(), (QList<int>{6, 7, 5}));
        QCOMPARE(panel.currentItem(), 6);
        QTRY_VERIFY(panel.imageShown());
        QTRY_VERIFY(panel.thumbnails()->pendingCount() == 0);
        screenshot(panel, QStringLiteral("labeling-review.png"));
        QTest::keyClick(panel.canvas(), Qt::Key_Return);
        QCOMPARE(panel.job()->item(6).status, ItemStatus::Labeled);
        QVERIFY(panel.job()->item(6).annotation.human);
        QCOMPARE(panel.job()->item(6).annotation.classes, QList<int>{9});
        QCOMPARE(panel.currentItem(), 7);
        QTest::keyClick(panel.canvas(), '1'); // fix: it is a T-shirt
        QCOMPARE(panel.job()->item(7).annotation.classes, QList<int>{0});
        QVERIFY(panel.job()->item(7).annotation.human);
        QCOMPARE(panel.currentItem(), 5);
        QCOMPARE(LabelingJob::open(ws.path(), QStringLiteral("review"))->counts().needsReview, 1);
    }

    void multiLabelTogglesClasses()
    {
        QTemporaryDir ws;
        makeJob(ws.path(), QStringLiteral("tags"), TaskType::MultiLabel, kFashion,
                {QStringLiteral("dark"), QStringLiteral("light"), QStringLiteral("has-text")});
        gui::StudioContext context;
        context.openWorkspace(ws.path());
        LabelingPanel panel(&context);
        panel.resize(1000, 700);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QVERIFY(panel.openJob(QStringLiteral("tags")));
        QTest::keyClick(panel.canvas(), '1');
        QTest::keyClick(panel.canvas(), '3');
        QCOMPARE(panel.job()->item(0).annotation.classes, (QList<int>{0, 2}));
        QTest::keyClick(panel.canvas(), '1');
        QCOMPARE(panel.job()->item(0).annotation.classes, QList<int>{2});
        QCOMPARE(panel.currentItem(), 0);
        QTest::keyClick(panel.canvas(), Qt::Key_Return);
        QCOMPARE(panel.currentItem(), 1);
        // Enter on an image with no class marks it labeled with none.
        QTest::keyClick(panel.canvas(), Qt::Key_Return);
        QCOMPARE(panel.job()->item(1).status, ItemStatus::Labeled);
        QVERIFY(panel.job()->item(1).annotation.classes.isEmpty());
        QCOMPARE(LabelingJob::open(ws.path(), QStringLiteral("tags"))->counts().labeled, 2);
    }

    void handsLabelsToTraining()
    {
        QTemporaryDir ws;
        makeJob(ws.path(), QStringLiteral("handoff"), TaskType::SingleLabel, kFashion, kFashionClasses);
        gui::StudioContext context;
        context.openWorkspace(ws.path());
        LabelingPanel panel(&context);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QVERIFY(panel.openJob(QStringLiteral("handoff")));
        QSignalSpy requested(gui::JobService::of(&context), &gui::JobService::trainingRequested);
        QVERIFY(!panel.trainOnLabels()); // nothing labeled yet
        QCOMPARE(requested.size(), 0);
        for (int i = 0; i < 12; ++i)
            QTest::keyClick(panel.canvas(), panel.job()->classes().at(i % 10).key.at(0).toLatin1());
        QVERIFY(panel.trainOnLabels());
        QCOMPARE(requested.size(), 1);
        const JobSpec spec = requested.first().first().value<JobSpec>();
        QCOMPARE(spec.algorithm, QStringLiteral("cnn"));
        const data::ChannelSpec train = spec.channels.value(QStringLiteral("train"));
        QCOMPARE(train.type, data::ChannelSpec::Type::Manifest);
        QCOMPARE(train.labelAttribute, QStringLiteral("handoff"));
        QFile manifest(train.path);
        QVERIFY(manifest.open(QIODevice::ReadOnly));
        QCOMPARE(manifest.readAll().count('\n'), 12);
        // The training side reads it as 12 labeled images.
        QVERIFY(train.path.startsWith(panel.job()->dir()));
        // Auto-labeling refuses with too few human labels, and says so.
        QSignalSpy status(&context, &gui::StudioContext::statusMessage);
        QVERIFY(!panel.startAutoLabel(0.9, 20, 1));
        QVERIFY(!status.isEmpty());
        QVERIFY(status.last().first().toString().contains(QLatin1String("at least 20")));
    }

    void newJobDialogChecksItsInputs()
    {
        QTemporaryDir ws;
        makeJob(ws.path(), QStringLiteral("taken"), TaskType::SingleLabel, kFashion, {QStringLiteral("a")});
        NewJobDialog dialog(ws.path());
        dialog.resize(560, 360);
        QVERIFY(dialog.problem().contains(QLatin1String("name")));
        dialog.nameEdit()->setText(QStringLiteral("bad name"));
        QVERIFY(dialog.problem().contains(QLatin1String("letters, digits and hyphens")));
        dialog.nameEdit()->setText(QStringLiteral("taken"));
        QVERIFY(dialog.problem().contains(QLatin1String("exists already")));
        dialog.nameEdit()->setText(QStringLiteral("street-scenes"));
        QVERIFY(dialog.problem().contains(QLatin1String("folder")));
        dialog.sourceEdit()->setText(kPhotos + QStringLiteral("/missing"));
        QVERIFY(dialog.problem().contains(QLatin1String("does not exist")));
        dialog.sourceEdit()->setText(kPhotos);
        QVERIFY(dialog.problem().contains(QLatin1String("label")));
        dialog.labelsEdit()->setText(QStringLiteral("car, person ,bicycle"));
        dialog.typeCombo()->setCurrentIndex(2);
        QCOMPARE(dialog.problem(), QString());
        const JobSettings s = dialog.settings();
        QCOMPARE(s.type, TaskType::BoundingBox);
        QCOMPARE(s.classes.size(), 3);
        QCOMPARE(s.classes.at(1).name, QStringLiteral("person"));
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        screenshot(dialog, QStringLiteral("labeling-newjob.png"));
    }

    void newJobDialogShowsItsHintsWhole()
    {
        QTemporaryDir ws;
        NewJobDialog dialog(ws.path());
        dialog.show(); // at its own size, as the panel opens it
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        const auto hintsFit = [&dialog] {
            for (QLineEdit *e : dialog.findChildren<QLineEdit *>()) {
                const int text = e->fontMetrics().horizontalAdvance(e->placeholderText());
                if (!e->placeholderText().isEmpty() && e->width() < text + 8)
                    return false;
            }
            return true;
        };
        QVERIFY(hintsFit());
        screenshot(dialog, QStringLiteral("labeling-newjob-default.png"));
        auto *manifest = dialog.findChildren<QRadioButton *>().last();
        manifest->setChecked(true);
        QApplication::processEvents();
        QVERIFY(dialog.sourceEdit()->placeholderText().contains(QStringLiteral("source-ref")));
        QVERIFY(hintsFit());
    }

    void stripFollowsTheCurrentImage()
    {
        QTemporaryDir ws;
        makeJob(ws.path(), QStringLiteral("fashion"), TaskType::SingleLabel, kFashion, kFashionClasses);
        {
            // Work from an earlier session: the first 150 images are labeled.
            auto job = LabelingJob::open(ws.path(), QStringLiteral("fashion"));
            Annotation a;
            a.classes = {0};
            for (int i = 0; i < 150; ++i)
                job->setLabel(i, ItemStatus::Labeled, a);
        }
        gui::StudioContext context;
        context.openWorkspace(ws.path());
        LabelingPanel panel(&context);
        panel.resize(1200, 700);
        // As at start-up: the job opens while the panel is still hidden in its dock.
        QVERIFY(panel.openJob(QStringLiteral("fashion")));
        QCOMPARE(panel.currentItem(), 150);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QListView *grid = panel.thumbnailView();
        QTRY_VERIFY_WITH_TIMEOUT(grid->viewport()->rect().contains(grid->visualRect(grid->currentIndex())), 5000);
        QCOMPARE(grid->currentIndex().row(), panel.thumbnails()->rowOf(150));
        screenshot(panel, QStringLiteral("labeling-restart.png"));

        // Moving on tells the view what lost the selection, so that only the current image is
        // drawn highlighted (a blocked selection model left every visited one highlighted).
        QSignalSpy selection(grid->selectionModel(), &QItemSelectionModel::selectionChanged);
        QTest::keyClick(panel.canvas(), Qt::Key_Right);
        QCOMPARE(panel.currentItem(), 151);
        QVERIFY(!selection.isEmpty());
        const auto deselected = selection.last().at(1).value<QItemSelection>();
        QVERIFY(deselected.contains(panel.thumbnails()->index(panel.thumbnails()->rowOf(150))));
        QCOMPARE(grid->selectionModel()->selectedIndexes().size(), 1);
        // Far away: the strip follows.
        panel.goToItem(5);
        QTRY_VERIFY(grid->viewport()->rect().intersects(grid->visualRect(grid->currentIndex())));
    }

    void showsLabelsWrittenByAnotherProcess()
    {
        QTemporaryDir ws;
        makeJob(ws.path(), QStringLiteral("shared"), TaskType::SingleLabel, kFashion, kFashionClasses);
        gui::StudioContext context;
        context.openWorkspace(ws.path());
        LabelingPanel panel(&context);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QVERIFY(panel.openJob(QStringLiteral("shared")));
        {
            auto other = LabelingJob::open(ws.path(), QStringLiteral("shared"));
            Annotation a;
            a.classes = {4};
            other->setLabel(10, ItemStatus::Labeled, a);
        }
        QTRY_COMPARE_WITH_TIMEOUT(panel.job()->item(10).status, ItemStatus::Labeled, 5000);
    }
};

QTEST_MAIN(TestLabelingPanel)
#include "tst_labelingpanel.moc"
