using System.Text;
using Optimizer.Engine.Commands;
using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Plans;
using Optimizer.Onnx;
using Optimizer.Passes;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Training.Tests;

/// <summary>
/// The engine's hook in process: a plan with Prune + FineTune (.npy data) + Distill from a declared
/// Teacher runs through OptimizeCommand, which loads this build of Optimizer.Training by its path.
/// </summary>
public class EngineTrainingTests(ITestOutputHelper output)
{
    [ConditionalFact("data")]
    public void A_plan_with_npy_data_and_a_declared_teacher_trains_after_pruning_and_reports_each_epoch()
    {
        var (models, digits) = (TestData.Models, TestData.Digits);
        var project = Path.Combine(Path.GetTempPath(), "optimizer-training-engine-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(project);
        try
        {
            File.Copy(Path.Combine(models, "digits_cnn.onnx"), Path.Combine(project, "cnn.onnx"));
            File.Copy(Path.Combine(models, "digits_cnn_bn_unfused.onnx"), Path.Combine(project, "teacher.onnx"));
            WriteNpy(Path.Combine(project, "x.npy"), TestData.ReadFloats(Path.Combine(digits, "digits_train_x_1347x64.f32")), [1347, 1, 8, 8]);
            File.Copy(Path.Combine(digits, "digits_train_y_1347.u8"), Path.Combine(project, "y.u8"));
            Environment.SetEnvironmentVariable("OPTIMIZER_TRAINING_ASSEMBLY", typeof(EngineEntryPoint).Assembly.Location);

            var at = new DiagnosticLocation(Path.Combine(project, "Models.cs"), 3, 2);
            var plan = new OptimizationPlan(OptimizationPlan.CurrentFormatVersion, "T.Cnn", "T.Cnn", Path.Combine(project, "cnn.onnx"), "cnn.onnx", at,
                Path.Combine(project, "out"), project, "T.Cnn.onnx",
            [
                new PlannedPass("Prune", new Dictionary<string, string> { ["Sparsity"] = "0.8" }, at),
                new PlannedPass("FineTune", new Dictionary<string, string> { ["Data"] = "x.npy", ["Labels"] = "y.u8", ["Epochs"] = "3", ["LearningRate"] = "0.05", ["Optimizer"] = "Sgd" }, at),
                new PlannedPass("Distill", new Dictionary<string, string> { ["Teacher"] = "teacher.onnx", ["Temperature"] = "2" }, at),
            ]);

            var outcome = OptimizeCommand.Optimize(plan);
            var optimized = OnnxModelLoader.Load(Path.Combine(project, "out", "T.Cnn.onnx"));
            var report = File.ReadAllText(Path.Combine(project, "out", "T.Cnn.report.md"));
            output.WriteLine(report);

            Assert.Contains("| FineTune+Distill | 3 epochs, Sgd lr 0.05, distillation (T=2, alpha=0.7)", report);
            Assert.Contains("## Training", report);
            Assert.Contains("- epoch 3: loss ", report);
            // Trained after pruning: still 80% sparse, and far better than the untrained pruned model.
            var weights = optimized.Graph.Initializers.Where(i => i.Dims.Count >= 2).SelectMany(i => i.ToFloatArray()).ToArray();
            Assert.InRange(weights.Count(w => w == 0) / (double)weights.Length, 0.75, 0.85);
            Assert.True(DigitsData.Accuracy(optimized, DigitsData.Test!) > 0.95);
        }
        finally
        {
            Environment.SetEnvironmentVariable("OPTIMIZER_TRAINING_ASSEMBLY", null);
            Directory.Delete(project, recursive: true);
        }
    }

    [ConditionalFact("data/models")]
    public void Without_the_training_assembly_the_plan_fails_with_OPT1070_naming_the_package()
    {
        var models = TestData.Models;
        var at = new DiagnosticLocation("/p/Models.cs", 4, 2);
        var plan = new OptimizationPlan(OptimizationPlan.CurrentFormatVersion, "T.Mlp", "T.Mlp", Path.Combine(models, "digits_mlp.onnx"), "digits_mlp.onnx", null,
            Path.Combine(Path.GetTempPath(), "optimizer-training-none-" + Guid.NewGuid().ToString("N")), models, "T.Mlp.onnx",
            [new PlannedPass("FineTune", new Dictionary<string, string> { ["Data"] = "x", ["Labels"] = "y" }, at)]);
        Environment.SetEnvironmentVariable("OPTIMIZER_TRAINING_ASSEMBLY", null);   // what Optimizer.Build passes when the package is not referenced
        var e = Assert.Throws<PassException>(() => OptimizeCommand.Optimize(plan));
        Assert.Equal(EngineErrorCodes.TrainingPackageMissing, e.Code);
        Assert.Contains("Optimizer.Training", e.Message);
        Assert.Contains("Models.cs(4,2): error OPT1070", ErrorReport.For(e, plan));
    }

    /// <summary>A version 1 .npy file of little-endian float32 in C order.</summary>
    private static void WriteNpy(string path, float[] values, int[] shape)
    {
        var header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({string.Join(", ", shape)}), }}";
        header = header.PadRight(64 * ((10 + header.Length + 1 + 63) / 64) - 10 - 1) + "\n";
        using var file = File.Create(path);
        file.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)(header.Length & 0xff), (byte)(header.Length >> 8)]);
        file.Write(Encoding.ASCII.GetBytes(header));
        var bytes = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        file.Write(bytes);
    }
}
