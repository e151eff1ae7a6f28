using Xunit.Abstractions;

namespace Optimizer.EndToEnd.Tests;

/// <summary>
/// [AccuracyBudget] as a user meets it in a real `dotnet build` of the digits CNN: a budget that
/// holds (its figures printed), one that holds only after layers are put back to fp32 (a coded
/// warning naming them), and one that cannot hold (the build fails with OPT1060, nothing embedded).
/// </summary>
[Collection(PackedPackagesCollection.Name)]
public sealed class AccuracyBudgetAppTests(PackedPackages packages, ITestOutputHelper output)
{
    [Fact]
    public void Budgets_that_hold_pass_the_build_with_their_figures_and_reverted_layers()
    {
        if (RepositoryPaths.SharedData is not { } shared)
        {
            output.WriteLine("skipped: ../shared/data is absent");
            return;
        }
        using var app = DigitsApp(shared, "BudgetHoldsApp", """
            [OnnxModel("Models/digits_cnn.onnx")]
            [Quantize(QuantizationMode.StaticInt8, Calibration = "Data/digits_train_x_1347x64.f32")]
            [AccuracyBudget(MaxDrop = 0.01, Validation = "Data/digits_test_x_450x64.f32", Labels = "Data/digits_test_y_450.u8")]
            public partial class Holds;

            // 8-bit weights and int8 activations cost accuracy on CPUs without VNNI: the budget makes the build keep the costly layers in fp32.
            [OnnxModel("Models/digits_cnn.onnx")]
            [Quantize(QuantizationMode.StaticInt8, Calibration = "Data/digits_train_x_1347x64.f32", CalibrationMethod = CalibrationMethod.MinMax, ActivationType = QuantizedActivationType.Int8, ReduceRange = false)]
            [AccuracyBudget(MaxDrop = 0.005, Validation = "Data/digits_test_x_450x64.f32", Labels = "Data/digits_test_y_450.u8")]
            public partial class HoldsAfterReverting;
            """);

        var build = app.Build();
        output.WriteLine(build.Output);
        build.AssertSucceeded("dotnet build");

        Assert.Matches(@"digits_cnn\.onnx: quantize StaticInt8 → .* top-1 99\.3% → 99\.3% \(budget 1(\.0)?%\)", build.Output);
        var reverted = build.Output.Split('\n').First(line => line.Contains("warning OPT1061"));
        Assert.Contains("Program.cs", reverted);
        Assert.Matches(@"/conv\d/Conv", reverted);
    }

    [Fact]
    public void A_budget_that_cannot_hold_fails_the_build_with_OPT1060_and_embeds_nothing()
    {
        if (RepositoryPaths.SharedData is not { } shared)
        {
            output.WriteLine("skipped: ../shared/data is absent");
            return;
        }
        using var app = DigitsApp(shared, "BudgetFailsApp", """
            [OnnxModel("Models/digits_cnn.onnx")]
            [Prune(Sparsity = 0.8)]
            [AccuracyBudget(MaxDrop = 0.001, Validation = "Data/digits_test_x_450x64.f32", Labels = "Data/digits_test_y_450.u8")]
            public partial class TooMuch;
            """);

        var build = app.Build();
        output.WriteLine(build.Output);

        Assert.NotEqual(0, build.ExitCode);
        var error = build.Output.Split('\n').First(line => line.Contains("error OPT1060"));
        Assert.Matches(@"Program\.cs\(\d+,\d+\): error OPT1060: .*digits_cnn\.onnx", error);
        Assert.Contains("0.8", error); // says the declared sparsity was not lowered
        Assert.Empty(Directory.Exists(app.OptimizerOutputDirectory) ? Directory.GetFiles(app.OptimizerOutputDirectory, "*.onnx") : []);
    }

    // A console app with the digits CNN and data, the given model classes, and a Main that only builds.
    private TestApp DigitsApp(string shared, string name, string classes)
    {
        var app = new TestApp(packages, name);
        app.CopyFile(Path.Combine(shared, "models", "digits_cnn.onnx"), "Models/digits_cnn.onnx");
        foreach (var file in new[] { "digits_train_x_1347x64.f32", "digits_test_x_450x64.f32", "digits_test_y_450.u8" })
            app.CopyFile(Path.Combine(shared, "digits", file), Path.Combine("Data", file));
        app.WriteFile("Program.cs", "using Optimizer.Runtime;\n\nConsole.WriteLine(\"built\");\n\n" + classes + "\n");
        return app;
    }
}
