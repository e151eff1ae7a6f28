using System.Diagnostics;
using Optimizer.Runtime.Compiled;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Runtime.Tests;

/// <summary>
/// The compiled path of a class whose kernel program is stored as builds store it: without the
/// weights that are the model's initializers, rebuilt from the embedded model or the model file
/// beside the app at load. Same outputs as a program that carries its weights; another model → a reason, not a crash.
/// </summary>
public sealed class ProgramWeightsFromModelTests(ITestOutputHelper output)
{
    private static string Source => SharedData.PathOf("models/digits_mlp.onnx");

    private static ModelTensor<float> Images() =>
        new(SharedData.ReadFloats("digits/digits_test_x_450x64.f32").AsMemory(0, 64 * 32), 32, 1, 8, 8);

    [ConditionalFact("data")]
    public void An_embedded_program_reads_its_weights_from_the_embedded_model_and_gives_the_same_bits()
    {
        var watch = Stopwatch.StartNew();
        using var fromModel = CompiledDigitsMlp.Create(Source, new ModelOptions { Path = ExecutionPathKind.Compiled }, programWeights: ProgramWeights.FromModel);
        output.WriteLine($"constructed in {watch.Elapsed.TotalMilliseconds:F1} ms");
        using var inline = CompiledDigitsMlp.Create(Source, new ModelOptions { Path = ExecutionPathKind.Compiled });

        Assert.Equal(ExecutionPathKind.Compiled, fromModel.ExecutionPath.Kind);
        Assert.NotEmpty(fromModel.Compiled!.Program.References);
        Assert.True(fromModel.Compiled.Program.Weights.SequenceEqual(inline.Compiled!.Program.Weights));
        var input = Images();
        Assert.Equal(inline.Run(input).Span.ToArray(), fromModel.Run(input).Span.ToArray());
    }

    [ConditionalFact("data")]
    public void A_program_stored_beside_the_app_reads_its_weights_from_the_mapped_model_file()
    {
        using var files = new StoredModelFiles(Source, "models", "Tests.digits_mlp", CompiledDigitsMlp.ProgramOf(Source, ProgramWeights.FromModel), externalData: false);
        using var embedded = CompiledDigitsMlp.Create(Source, new ModelOptions { Path = ExecutionPathKind.Compiled });
        using var stored = CompiledDigitsMlp.FromFiles(files.ModelFile, new ModelOptions { Path = ExecutionPathKind.Compiled, ModelDirectory = files.Directory });

        Assert.Equal(ExecutionPathKind.Compiled, stored.ExecutionPath.Kind);
        Assert.NotEmpty(stored.Compiled!.Program.References);
        var input = Images();
        Assert.Equal(embedded.Run(input).Span.ToArray(), stored.Run(input).Span.ToArray());
    }

    [ConditionalFact("data")]
    public void A_program_beside_another_model_is_refused_with_the_reason_and_auto_falls_back()
    {
        // The model's initializers moved to external data: the .onnx no longer holds the bytes the program references.
        using var files = new StoredModelFiles(Source, "models", "Tests.digits_mlp", CompiledDigitsMlp.ProgramOf(Source, ProgramWeights.FromModel));

        var error = Assert.Throws<InvalidOperationException>(() =>
            CompiledDigitsMlp.FromFiles(files.ModelFile, new ModelOptions { Path = ExecutionPathKind.Compiled, ModelDirectory = files.Directory }));
        output.WriteLine(error.ToString());
        Assert.Contains("which the model does not have", error.ToString());
        using var auto = CompiledDigitsMlp.FromFiles(files.ModelFile, new ModelOptions { ModelDirectory = files.Directory });
        Assert.Equal("OnnxRuntime(CPUExecutionProvider)", auto.ExecutionPath.ToString());
    }
}
