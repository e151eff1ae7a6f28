using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Emit;
using Optimizer.Build.Generator.Tests.Harness;
using Optimizer.Compiler;
using Optimizer.Engine.Compilation;
using Optimizer.Engine.Manifests;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Build.Generator.Tests;

/// <summary>
/// Issue 15's size rule: what the compiled path adds to an app beyond the model (the kernel program
/// as the build stores it, weights read from the model, plus the generated schedule's IL and
/// metadata) is at most 40 KB for a model without variants. The schedule's share is measured as the
/// difference between the generated assembly with and without it.
/// </summary>
public sealed class ScheduleSizeTests(ITestOutputHelper output)
{
    private const long Allowance = 40 * 1024;

    private static string Data => RepositoryLayout.RequiredShared("data");

    [ConditionalTheory("data")]
    [InlineData("digits_mlp.onnx")]
    [InlineData("digits_cnn.onnx")]
    [InlineData("hello_deepa.onnx")]
    [InlineData("arctic_embed_xs.onnx")]
    public void Program_and_generated_schedule_add_at_most_40_KB(string file) => AssertAddsAtMost40KB(Path.Combine(Data, "models", file));

    /// <summary>A wake-word model (openWakeWord's embedding: a conv stack).</summary>
    [ConditionalFact(Needs.ThirdPartyModels)]
    public void A_wake_word_models_program_and_generated_schedule_add_at_most_40_KB() =>
        AssertAddsAtMost40KB(Path.Combine(TestNeeds.ThirdPartyModels, "embedding_model.onnx"));

    private void AssertAddsAtMost40KB(string path)
    {
        string file = Path.GetFileName(path);
        OnnxModel model = OnnxModelLoader.Load(path);
        using KernelProgram program = KernelCompiler.Compile(model).Program!;
        byte[] stored = program.ToBytes(ProgramWeights.FromModel);
        using (KernelProgram loaded = KernelProgram.Read(stored, File.ReadAllBytes(path)))
        {
            Assert.True(loaded.Weights.SequenceEqual(program.Weights), $"{file}: the stored program does not load its weights from the model");
        }

        long withSchedule = AssemblySize(program, stored, withSchedule: true);
        long withoutSchedule = AssemblySize(program, stored, withSchedule: false);
        long schedule = withSchedule - withoutSchedule;
        output.WriteLine($"{file}: {program.Steps.Count} steps; program {stored.Length} bytes (weights stored {stored.Length - ProgramWithoutWeights(program)}), generated schedule {schedule} bytes, total {stored.Length + schedule}");
        Assert.True(stored.Length + schedule <= Allowance, $"{file}: program {stored.Length} + generated schedule {schedule} bytes is over {Allowance}");
    }

    /// <summary>The program's size with no weight bytes at all (what the schedule, names and tables take).</summary>
    private static long ProgramWithoutWeights(KernelProgram program) => program.ToBytes(ProgramWeights.FromModel).Length - StoredWeightBytes(program);

    private static long StoredWeightBytes(KernelProgram program) =>
        program.Weights.Length - program.References.Sum(r => r.Length);

    /// <summary>The size of the generated class's assembly compiled by Roslyn (no resources embedded).</summary>
    private static long AssemblySize(KernelProgram program, byte[] bytes, bool withSchedule)
    {
        var manifest = new ModelManifest("0.0.0-test", "Sample.Model", "Sample.Model", "model.onnx", "Sample.Model.onnx", "00", "00", 0, 0, [],
            program.Inputs.Select(t => new ManifestValue(t.Name, t.ElementType == KernelElementType.Int64 ? "int64" : "float32", Dims(program, t), null)).ToArray(),
            program.Outputs.Select(t => new ManifestValue(t.Name, "float32", Dims(program, t), null)).ToArray())
        {
            Execution = new ManifestExecution(["OnnxRuntime", "Compiled"],
                new ManifestCompiledProgram("Sample.Model.kernels", bytes.LongLength, program.Steps.Count, [])
                {
                    Schedule = withSchedule ? ScheduleText.Format(program) : [],
                },
                []),
        };
        string json = System.Text.Encoding.UTF8.GetString(ManifestWriter.ToBytes(manifest));
        GeneratorRun run = GeneratorHarness.Run("namespace Sample; [Optimizer.Runtime.OnnxModel(\"model.onnx\")] public partial class Model;", ("obj/optimizer/Sample.Model.model.json", json));
        run.AssertCompilesCleanly();
        using var image = new MemoryStream();
        EmitResult emitted = run.Output.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        return image.Length;
    }

    private static object?[] Dims(KernelProgram program, ProgramTensor tensor) =>
        tensor.Dims.Select(d => d.Constant is { } size ? (object?)size : d.SymbolIndex is { } symbol ? program.Symbols[symbol] : null).ToArray();
}
