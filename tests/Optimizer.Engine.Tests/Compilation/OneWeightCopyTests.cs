using Optimizer.Runtime.Compiled;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Engine.Tests.Compilation;

/// <summary>
/// One copy of the weights per app (issue 15): what the build embeds for a class (the optimized
/// model and its kernel programs) is the model plus at most 40 KB when it has no variants, and a
/// quantized class adds at most one fp32-sized copy (its fp32 variant); the programs load from the
/// embedded model with the same weights they were compiled with.
/// </summary>
public sealed class OneWeightCopyTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>The most a class's programs may add to its model (schedule, folded biases, tables).</summary>
    private const long ProgramAllowance = 40 * 1024;

    private readonly EngineRun _run = new();

    public void Dispose() => _run.Dispose();

    /// <param name="allowance">
    /// What the program may add: <see cref="ProgramAllowance"/> (arctic_embed_xs: ~16 KB since format 5's
    /// compact steps; the generated schedule's share is Optimizer.Build.Generator.Tests' ScheduleSizeTests).
    /// </param>
    [ConditionalTheory("data")]
    [InlineData("digits_mlp.onnx", ProgramAllowance)]
    [InlineData("digits_cnn.onnx", ProgramAllowance)]
    [InlineData("arctic_embed_xs.onnx", ProgramAllowance)]
    public void A_model_without_variants_embeds_its_weights_once(string file, long allowance)
    {
        var (model, programs) = Optimize(Path.Combine(RepositoryPaths.SharedModels, file));

        Assert.Single(programs);
        Assert.True(programs.Sum(p => p.Length) <= allowance,
            $"{file}: the program adds {programs.Sum(p => p.Length)} bytes to the {model.Length}-byte model (at most {allowance})");
        AssertLoadsFromTheModel(model, programs);
    }

    /// <summary>
    /// PaddleOCR's PP-OCRv4 models: a Conv → Mul(s, ·) → Add(t, ·) affine after most convolutions, which the
    /// Fuse pass folds into the model's conv weights (before, the compiler folded it into weights of its own:
    /// 3 MB of the detector's and 4.7 MB of the recognizer's weights stored a second time in the program).
    /// </summary>
    [ConditionalTheory(Needs.ThirdPartyModels)]
    [InlineData("ch_PP-OCRv4_det_infer.onnx")]
    [InlineData("ch_PP-OCRv4_rec_infer.onnx")]
    public void A_model_with_an_affine_after_its_convs_embeds_its_weights_once(string file)
    {
        var (model, programs) = Optimize(Path.Combine(TestNeeds.ThirdPartyModels, file));

        Assert.Single(programs);
        Assert.True(programs.Sum(p => p.Length) <= ProgramAllowance,
            $"{file}: the program adds {programs.Sum(p => p.Length)} bytes to the {model.Length}-byte model (at most {ProgramAllowance})");
        AssertLoadsFromTheModel(model, programs);
    }

    [ConditionalFact("data")]
    public void A_quantized_model_embeds_at_most_one_fp32_sized_copy()
    {
        var source = new FileInfo(Path.Combine(RepositoryPaths.SharedModels, "digits_mlp.onnx"));
        var (model, programs) = Optimize(source.FullName, ("Quantize", new() { ["Mode"] = "DynamicInt8" }));

        Assert.Equal(2, programs.Count);
        var int8 = programs.Single(p => !p.Name.EndsWith(".fp32.kernels", StringComparison.Ordinal));
        Assert.True(int8.Length <= ProgramAllowance, $"the int8 program stores {int8.Length} bytes: its packed weights should be read from the model");
        // The int8 model, its program, and no more than one fp32 copy (the fp32 variant: the float weights are not in the int8 model).
        var embedded = model.Length + programs.Sum(p => p.Length);
        Assert.True(embedded <= model.Length + source.Length + ProgramAllowance,
            $"embedded {embedded} bytes: int8 model {model.Length} + programs {string.Join(" + ", programs.Select(p => p.Length))}; one fp32 copy is {source.Length}");
        AssertLoadsFromTheModel(model, programs);
    }

    /// <summary>Runs the engine on a plan for the model at <paramref name="path"/>; returns the optimized model and the kernel programs it wrote (what the build embeds).</summary>
    private (FileInfo Model, List<FileInfo> Programs) Optimize(string path, params (string Pass, Dictionary<string, string> Options)[] passes)
    {
        var outputDirectory = _run.OutputDirectory();
        var (exitCode, stdout, stderr) = EngineRun.Run("optimize", "--plan", _run.WritePlan(path, "M", outputDirectory, passes));
        output.WriteLine(stdout + stderr);
        Assert.Equal(0, exitCode);
        var model = new FileInfo(Path.Combine(outputDirectory, "M.onnx"));
        var programs = new DirectoryInfo(outputDirectory).GetFiles("M*.kernels").OrderBy(f => f.Name, StringComparer.Ordinal).ToList();
        output.WriteLine($"{Path.GetFileName(path)}: model {model.Length} bytes; {string.Join(", ", programs.Select(p => $"{p.Name} {p.Length} bytes"))}");
        return (model, programs);
    }

    /// <summary>Every program loads against the model's bytes; the model's own program reads its weights from them.</summary>
    private static void AssertLoadsFromTheModel(FileInfo model, List<FileInfo> programs)
    {
        var modelBytes = File.ReadAllBytes(model.FullName);
        foreach (var file in programs)
        {
            using var program = KernelProgram.Read(File.ReadAllBytes(file.FullName), modelBytes);
            Assert.True(file.Name != "M.kernels" || program.References.Count > 0, $"{file.Name} stores all its weights");
        }
    }
}
