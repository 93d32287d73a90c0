// The torch plugin's fused kernels against the chains of stock torch operations they replace.
#include "fusedops.h"

#include <QTest>

using namespace cairn::plugins;

namespace {

/// Values and gradient (for a fixed random upstream gradient) of f at x.
std::pair<torch::Tensor, torch::Tensor> valueAndGradient(const torch::Tensor &x, const std::function<torch::Tensor(const torch::Tensor &)> &f)
{
    const torch::Tensor in = x.detach().clone().requires_grad_(true);
    const torch::Tensor out = f(in);
    torch::manual_seed(99);
    out.backward(torch::randn(out.sizes()));
    return {out.detach(), in.grad()};
}

bool same(const torch::Tensor &a, const torch::Tensor &b) { return a.sizes() == b.sizes() && torch::equal(a.nan_to_num(7.0), b.nan_to_num(7.0)); }

} // namespace

class tst_FusedOps : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(2); }

    void reluMaxPoolEqualsTheChainWithoutDropout_data()
    {
        QTest::addColumn<QList<int>>("shape");
        QTest::addColumn<bool>("ties");
        QTest::newRow("even") << QList<int>{8, 16, 24, 24} << false;
        QTest::newRow("odd height and width") << QList<int>{3, 5, 9, 7} << false;
        QTest::newRow("narrow rows (no vector lanes)") << QList<int>{2, 3, 6, 6} << false;
        QTest::newRow("ties and all-negative windows") << QList<int>{4, 8, 12, 20} << true;
    }
    void reluMaxPoolEqualsTheChainWithoutDropout()
    {
        QFETCH(QList<int>, shape);
        QFETCH(bool, ties);
        torch::manual_seed(1);
        const std::vector<int64_t> sizes(shape.begin(), shape.end());
        // Small integers make equal maxima and windows without a positive value common.
        const torch::Tensor x = ties ? torch::randint(-3, 2, sizes).to(torch::kFloat) : torch::randn(sizes);
        for (bool training : {true, false}) {
            const auto fused = valueAndGradient(x, [&](const torch::Tensor &t) { return fused::reluMaxPool2Dropout(t, 0.0, training); });
            const auto chain = valueAndGradient(x, [](const torch::Tensor &t) { return torch::max_pool2d(torch::relu(t), 2); });
            QVERIFY(same(fused.first, chain.first));
            QVERIFY(same(fused.second, chain.second));
        }
    }

    void reluMaxPoolPropagatesNaN()
    {
        torch::Tensor x = torch::randn({1, 2, 8, 8});
        x.index_put_({0, 1, 2, 3}, NAN);
        const torch::Tensor fused = fused::reluMaxPool2Dropout(x, 0.5, true);
        const torch::Tensor chain = torch::max_pool2d(torch::relu(x), 2);
        QVERIFY(std::isnan(fused.index({0, 1, 1, 1}).item<float>()));
        QCOMPARE(fused.isnan().sum().item<int64_t>(), chain.isnan().sum().item<int64_t>());
    }

    void dropoutKeepsTheRightShareScaledAndReproducibly()
    {
        const torch::Tensor x = torch::rand({64, 64, 24, 24}) + 0.1; // all windows positive
        const double p = 0.25;
        torch::manual_seed(5);
        const auto [out, grad] = valueAndGradient(x, [&](const torch::Tensor &t) { return fused::reluMaxPool2Dropout(t, p, true); });
        const torch::Tensor pooled = torch::max_pool2d(x, 2);
        const torch::Tensor kept = out != 0;
        const double share = kept.to(torch::kDouble).mean().item<double>();
        QVERIFY2(std::abs(share - (1 - p)) < 0.005, qPrintable(QString::number(share)));
        QVERIFY(torch::allclose(out.masked_select(kept), pooled.masked_select(kept) / (1 - p)));
        // The gradient reaches exactly the windows whose output was kept.
        const torch::Tensor reached = torch::max_pool2d(grad.abs(), 2) != 0;
        QVERIFY(torch::equal(reached, kept));
        // Neighbouring elements are not correlated (four share one hash).
        const torch::Tensor flat = kept.flatten().to(torch::kDouble);
        const double both = (flat.slice(0, 0, -1) * flat.slice(0, 1)).mean().item<double>();
        QVERIFY2(std::abs(both - (1 - p) * (1 - p)) < 0.005, qPrintable(QString::number(both)));
        // The same torch seed gives the same mask; another seed another.
        torch::manual_seed(5);
        QVERIFY(torch::equal(fused::reluMaxPool2Dropout(x, p, true), out));
        torch::manual_seed(6);
        QVERIFY(!torch::equal(fused::reluMaxPool2Dropout(x, p, true), out));
        // Evaluation mode does not drop.
        QVERIFY(torch::equal(fused::reluMaxPool2Dropout(x, p, false), pooled));
    }

    void reluDropoutEqualsTheChain()
    {
        torch::manual_seed(2);
        const torch::Tensor x = torch::randn({33, 70});
        const auto fused = valueAndGradient(x, [](const torch::Tensor &t) { return fused::reluDropout(t, 0.0, true); });
        const auto chain = valueAndGradient(x, [](const torch::Tensor &t) { return torch::relu(t); });
        QVERIFY(same(fused.first, chain.first));
        QVERIFY(same(fused.second, chain.second));

        const torch::Tensor big = torch::rand({256, 512}) + 0.1;
        const torch::Tensor out = fused::reluDropout(big, 0.5, true);
        const torch::Tensor kept = out != 0;
        const double share = kept.to(torch::kDouble).mean().item<double>();
        QVERIFY2(std::abs(share - 0.5) < 0.01, qPrintable(QString::number(share)));
        QVERIFY(torch::allclose(out.masked_select(kept), big.masked_select(kept) * 2));
        QVERIFY(torch::equal(fused::reluDropout(big, 0.5, false), big));
    }

    void fusedAdamFollowsTorchAdam()
    {
        for (double decay : {0.0, 0.01}) {
            torch::manual_seed(3);
            torch::nn::Linear a(40, 7), b(40, 7);
            torch::NoGradGuard noGrad;
            for (size_t i = 0; i < a->parameters().size(); ++i)
                b->parameters()[i].copy_(a->parameters()[i]);
            fused::FusedAdam fast(a->parameters(), torch::optim::AdamOptions(0.01).weight_decay(decay));
            torch::optim::Adam reference(b->parameters(), torch::optim::AdamOptions(0.01).weight_decay(decay));
            for (int step = 0; step < 25; ++step) {
                const torch::Tensor x = torch::randn({16, 40});
                for (auto [net, optimizer] : {std::pair<torch::nn::Linear &, torch::optim::Optimizer &>{a, fast}, {b, reference}}) {
                    fused::clearGradients(optimizer);
                    torch::AutoGradMode grad(true);
                    net->forward(x).pow(2).mean().backward();
                    optimizer.step();
                }
            }
            for (size_t i = 0; i < a->parameters().size(); ++i)
                QVERIFY2(torch::allclose(a->parameters()[i], b->parameters()[i], 1e-5, 1e-6), qPrintable(QString::number(decay)));
        }
    }

    void clearGradientsDropsThem()
    {
        torch::nn::Linear net(3, 2);
        torch::optim::SGD sgd(net->parameters(), 0.1);
        net->forward(torch::ones({1, 3})).sum().backward();
        QVERIFY(net->weight.grad().defined());
        fused::clearGradients(sgd);
        QVERIFY(!net->weight.grad().defined());
    }
};

QTEST_GUILESS_MAIN(tst_FusedOps)
#include "tst_fusedops.moc"
