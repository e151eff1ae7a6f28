using Xunit.Abstractions;

namespace Optimizer.Onnx.Tests.Fuzz;

/// <summary>
/// Bounded in-process fuzzing of the loader and of shape inference from a fixed seed: byte-level and
/// structure-aware mutations of the corpus never escape as anything but a coded OPT11xx error.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void Loader_refuses_mutated_models_only_with_coded_errors()
    {
        var seeds = FuzzCorpus.Seeds();
        var structured = seeds.Where(s => s.Proto is not null).ToArray();
        var result = FuzzLoop.Run("loader", seed: 20261206, random =>
        {
            // Three in four byte-level, the rest structure-aware.
            if (random.Next(4) > 0 || structured.Length == 0) return ByteMutator.Mutate(seeds[random.Next(seeds.Count)].Bytes, random);
            return StructureMutator.Mutate(structured[random.Next(structured.Length)].Proto!, random);
        }, bytes =>
        {
            var model = OnnxModelLoader.Load(bytes, null);
            _ = OnnxModelWriter.ToBytes(model);
        });

        Report(result, seeds.Count);
    }

    [Fact]
    public void Shape_inference_refuses_mutated_models_only_with_coded_errors()
    {
        var seeds = FuzzCorpus.Seeds().Where(s => s.Proto is not null).ToArray();
        var result = FuzzLoop.Run("shape-inference", seed: 6121026, random =>
            StructureMutator.Mutate(seeds[random.Next(seeds.Length)].Proto!, random), bytes =>
        {
            var model = OnnxModelLoader.Load(bytes, null);
            _ = Onnx.ShapeInference.Infer(model);
            _ = Onnx.ShapeInference.Annotate(model);
        });

        Report(result, seeds.Length);
        Assert.True(result.Accepted > 0, "no mutated model got through the loader to shape inference");
    }

    public static TheoryData<string> RegressionInputs => new(FuzzCorpus.RegressionInputs().Select(r => Path.GetFileName(r.Path)));

    [Theory]
    [MemberData(nameof(RegressionInputs))]
    public void Each_corpus_input_gives_the_code_its_name_says(string file)
    {
        var (path, expected) = FuzzCorpus.RegressionInputs().Single(r => Path.GetFileName(r.Path) == file);
        try
        {
            var model = OnnxModelLoader.Load(path);
            _ = Onnx.ShapeInference.Infer(model);
            Assert.Equal("ok", expected);
        }
        catch (OnnxFormatException e)
        {
            Assert.True(expected == e.Code, $"{file}: expected {expected}, got {e.Code}: {e.Message}");
        }
    }

    private void Report(FuzzLoop.Result result, int seedCount)
    {
        output.WriteLine($"{seedCount} seeds; {FuzzLoop.Describe(result)}");
        Assert.True(result.Crashes.Count == 0, string.Join("\n\n", result.Crashes));
        Assert.True(result.Executions >= 100, $"only {result.Executions} executions ran");
    }
}
