using Optimizer.Onnx;
using Optimizer.Passes.Tests.Support;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Passes.Tests.Cleanup;

/// <summary>Clean-up and fusion over real models: ONNX Runtime gives equal outputs before and after.</summary>
public sealed class RealModelEquivalenceTests(ITestOutputHelper output)
{
    [ConditionalFact("data")]
    public void Shared_models_keep_their_outputs()
    {
        var data = SharedData.Folder;

        Check(EquivalenceSuite.ModelFiles(Path.Combine(data, "models"), "models"));
    }

    [ConditionalTheory("onnx-conformance/light", "onnx-conformance/pytorch-converted", "onnx-conformance/simple")]
    [InlineData("light")]
    [InlineData("pytorch-converted")]
    [InlineData("simple")]
    public void Conformance_models_keep_their_outputs(string suite)
    {
        var root = RepositoryLayout.RequiredShared("onnx-conformance");

        var folder = Path.Combine(root, suite);
        Check(suite == "light" ? EquivalenceSuite.ModelFiles(folder, suite) : EquivalenceSuite.CasesIn(folder));
    }

    [ConditionalFact("data")]
    public void Digits_cnn_bn_unfused_ends_with_batchnorm_folded()
    {
        var data = SharedData.Folder;

        var model = OnnxModelLoader.Load(Path.Combine(data, "models", "digits_cnn_bn_unfused.onnx"));
        var result = PassPipeline.Run(model, []);

        Assert.Contains(model.Graph.Nodes, n => n.OpType == "BatchNormalization");
        Assert.DoesNotContain(result.Model.Graph.Nodes, n => n.OpType == "BatchNormalization");
        var images = SharedData.ReadFloats(Path.Combine(data, "digits", "digits_test_x_450x64.f32"));
        var input = OnnxTensor.FromFloats(model.Graph.Inputs[0].Name, [450, 1, 8, 8], images);
        Assert.Null(OrtRunner.Difference(OrtRunner.Run(model, [input]), OrtRunner.Run(result.Model, [input])));
        output.WriteLine(string.Join("\n", result.Reports.Select(r => $"{r.Pass}: {r.Summary}")));
    }

    [ConditionalFact("data")]
    public void Ch_ppocr_cls_ends_with_initializers_and_folded_batchnorm()
    {
        var data = SharedData.Folder;

        var model = OnnxModelLoader.Load(Path.Combine(data, "models", "ch_ppocr_mobile_v2.0_cls_infer.onnx"));
        var result = PassPipeline.Run(model, []);
        var optimized = result.Model.Graph;

        Assert.Contains(model.Graph.Nodes, n => n.OpType == "Constant");
        Assert.DoesNotContain(optimized.Nodes, n => n.OpType is "Constant" or "BatchNormalization");
        Assert.Contains(optimized.Nodes, n => n.OpType == "Conv" && n.Inputs.Count > 1 && optimized.FindInitializer(n.Inputs[1]) is not null);
        output.WriteLine($"ch_ppocr cls: {model.Graph.Nodes.Count} → {optimized.Nodes.Count} nodes, {model.Graph.Initializers.Count} → {optimized.Initializers.Count} initializers");
        output.WriteLine(string.Join("\n", result.Reports.Select(r => $"{r.Pass}: {r.Summary}")));
    }

    private void Check(IReadOnlyList<EquivalenceCase> cases)
    {
        var (lines, failures, compared, leftOut) = EquivalenceSuite.Check(cases);
        foreach (var line in lines) output.WriteLine(line);
        Assert.True(failures.Count == 0, "Outputs changed or the optimized model failed:\n" + string.Join("\n", failures));
        // Originals ONNX Runtime cannot run are left out; a suite where most are would pass on too little.
        Assert.True(compared > leftOut, $"only {compared} models compared, {leftOut} left out because ONNX Runtime cannot run the original");
    }
}
