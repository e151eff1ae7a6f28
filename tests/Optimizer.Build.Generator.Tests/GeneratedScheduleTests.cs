using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Emit;
using Optimizer.Build.Generator.Tests.Harness;
using Optimizer.Compiler;
using Optimizer.Engine.Calibration;
using Optimizer.Engine.Compilation;
using Optimizer.Engine.DataFiles;
using Optimizer.Engine.Manifests;
using Optimizer.Onnx;
using Optimizer.Passes;
using Optimizer.Passes.Calibration;
using Optimizer.Passes.Data;
using Optimizer.Runtime;
using Optimizer.Runtime.Compiled;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Build.Generator.Tests;

/// <summary>
/// The generated kernel schedule against the interpreter, on real models: each model is compiled
/// (Optimizer.Compiler), its manifest written by the engine's writer with the schedule, the
/// generator's class compiled by Roslyn with the program embedded, and its Run compared bit for
/// bit with <see cref="KernelExecutor"/> on the same program, at batch 1 and a larger batch.
/// </summary>
public sealed class GeneratedScheduleTests(ITestOutputHelper output)
{
    private static string Data => RepositoryLayout.RequiredShared("data");

    [ConditionalTheory("data")]
    [InlineData("digits_mlp.onnx", 450)]
    [InlineData("digits_cnn.onnx", 450)]
    [InlineData("digits_mlp.onnx#static-int8", 450)]
    [InlineData("digits_cnn.onnx#static-int8", 450)]
    [InlineData("hello_deepa.onnx", 1)]
    public void Generated_schedule_gives_the_interpreters_bits(string key, int largeBatch)
    {
        OnnxModel model = Load(key);
        CompileResult result = KernelCompiler.Compile(model);
        Assert.True(result.IsSupported, string.Join("; ", result.Unsupported));
        using KernelProgram program = result.Program!;
        byte[] bytes = program.ToBytes();
        var (classType, source) = CompileGeneratedClass(model, program, bytes);
        Assert.Contains("CompiledSchedule = __KernelSchedule.Instance", source);
        Assert.Equal(program.Steps.Count, source.Split('\n').Count(l => l.TrimStart().StartsWith("global::Optimizer.Runtime.Compiled.Kernels.", StringComparison.Ordinal)));

        using var generated = (OnnxModelBase)Activator.CreateInstance(classType, [new ModelOptions { Path = ExecutionPathKind.Compiled, AllowFallback = false }])!;
        output.WriteLine($"{key}: {program.Steps.Count} steps, {generated.ExecutionPath}");
        output.WriteLine(string.Join("\n", ScheduleText.Format(program)));
        Assert.Equal("generated", generated.ExecutionPath.Schedule);

        using var executor = new KernelExecutor(program);
        foreach (int batch in new[] { 1, largeBatch }.Distinct())
        {
            long[] symbols = program.Symbols.Count == 0 ? [] : [batch];
            float[][] inputs = program.Inputs.Select((t, i) => Synthetic(t.ElementCount(symbols), i)).ToArray();
            Array[] expected = program.Outputs.Select(t => (Array)new float[t.ElementCount(symbols)]).ToArray();
            int[][] shapes = program.Inputs.Select(t => t.Dims.Select(d => checked((int)d.Evaluate(symbols))).ToArray()).ToArray();
            executor.Run(shapes, inputs, expected);

            object input = Activator.CreateInstance(classType.GetNestedType("Input")!,
                program.Inputs.Select((t, i) => (object)new ModelTensor<float>(inputs[i], shapes[i])).ToArray())!;
            object outputs = classType.GetMethod("Run", [input.GetType()])!.Invoke(generated, [input])!;
            PropertyInfo[] properties = outputs.GetType().GetProperties();
            for (int o = 0; o < expected.Length; o++)
            {
                float[] actual = ((ModelTensor<float>)properties[o].GetValue(outputs)!).Span.ToArray();
                float[] want = (float[])expected[o];
                Assert.Equal(want.Length, actual.Length);
                int differing = want.Select((v, i) => BitConverter.SingleToInt32Bits(v) != BitConverter.SingleToInt32Bits(actual[i]) ? 1 : 0).Sum();
                Assert.True(differing == 0, $"{key} batch {batch} output {o}: {differing} of {want.Length} values differ from the interpreter's bits");
            }
        }
    }

    /// <summary>
    /// Silero VAD v5 as shipped (third-party): an If on the sample rate (an int64 input) compiled as
    /// SkipUnless/Skip with each branch's frame-count guard a CheckGuard step inside it. The generated
    /// schedule jumps over the branch not taken, gives the interpreter's bits at 16 kHz/512 samples and
    /// 8 kHz/256, and refuses 512 samples at 8 kHz in the branch that runs, as the interpreter does.
    /// </summary>
    [ConditionalTheory(Needs.ThirdPartyModels)]
    [InlineData(16000, 512, 1)]
    [InlineData(16000, 512, 2)]
    [InlineData(8000, 256, 2)]
    [InlineData(8000, 512, 1)]
    public void Generated_schedule_checks_a_branchs_guards_as_the_interpreter_does(long sampleRate, int samples, int batch)
    {
        OnnxModel model = OnnxModelLoader.Load(Path.Combine(TestNeeds.ThirdPartyModels, "silero_vad_v5.onnx"));
        using KernelProgram program = KernelCompiler.Compile(model).Program!;
        byte[] bytes = program.ToBytes();
        var inputValues = program.Inputs.Select(t => new ManifestValue(t.Name, t.ElementType == KernelElementType.Int64 ? "int64" : "float32",
            t.Dims.Select(d => d.Constant is { } size ? (object?)size : program.Symbols[d.SymbolIndex ?? 0]).ToArray(), null)).ToArray();
        var (classType, source) = CompileGeneratedClass(model, program, bytes, inputValues: inputValues);
        Assert.Contains("global::Optimizer.Runtime.Compiled.Kernels.CheckGuard(", source);

        int[][] shapes = [[batch, samples], [2, batch, 128], []];
        Array[] inputs = [Synthetic(batch * samples, 0), Synthetic(2 * batch * 128, 1), new[] { sampleRate }];
        float[][] expected = [new float[batch], new float[2 * batch * 128]];
        using var executor = new KernelExecutor(program);
        using var generated = (OnnxModelBase)Activator.CreateInstance(classType, [new ModelOptions { Path = ExecutionPathKind.Compiled, AllowFallback = false }])!;
        Assert.Equal("generated", generated.ExecutionPath.Schedule);
        object input = Activator.CreateInstance(classType.GetNestedType("Input")!, new ModelTensor<float>((float[])inputs[0], shapes[0]),
            new ModelTensor<float>((float[])inputs[1], shapes[1]), new ModelTensor<long>((long[])inputs[2], shapes[2]))!;
        object? Generated() => classType.GetMethod("Run", [input.GetType()])!.Invoke(generated, [input]);
        if (sampleRate == 8000 && samples > 351)
        {
            var interpreted = Assert.Throws<ArgumentException>(() => executor.Run(shapes, inputs, expected));
            var thrown = Assert.Throws<TargetInvocationException>(Generated).InnerException;
            output.WriteLine(interpreted.Message);
            Assert.Equal(interpreted.Message, Assert.IsType<ArgumentException>(thrown).Message);
            return;
        }

        executor.Run(shapes, inputs, expected);
        object outputs = Generated()!;
        PropertyInfo[] properties = outputs.GetType().GetProperties();
        for (int o = 0; o < expected.Length; o++)
        {
            float[] actual = ((ModelTensor<float>)properties[o].GetValue(outputs)!).Span.ToArray();
            Assert.Equal(expected[o].Select(BitConverter.SingleToInt32Bits), actual.Select(BitConverter.SingleToInt32Bits));
        }

        output.WriteLine($"sr {sampleRate}, batch {batch}: p = [{string.Join(", ", expected[0])}] in both");
    }

    /// <summary>
    /// A quantized model with an fp32 variant (what the engine writes for a quantized plan): each
    /// variant, forced with ModelOptions.Variant, runs its own program's generated schedule with its
    /// interpreter's bits, and the default picks int8 only where the CPU has INT8 dot products.
    /// </summary>
    [ConditionalTheory("data")]
    [InlineData("digits_mlp.onnx")]
    [InlineData("digits_cnn.onnx")]
    public void Each_variant_runs_its_own_generated_schedule(string file)
    {
        using KernelProgram int8 = KernelCompiler.Compile(Load(file + "#static-int8")).Program!;
        using KernelProgram fp32 = KernelCompiler.Compile(Load(file)).Program!;
        byte[] int8Bytes = int8.ToBytes(), fp32Bytes = fp32.ToBytes();
        var variants = new[]
        {
            new ManifestVariant("int8", "int8-dot-product", Describe("Sample.Model.kernels", int8Bytes, int8)),
            new ManifestVariant("fp32", null, Describe("Sample.Model.fp32.kernels", fp32Bytes, fp32)),
        };
        var (classType, source) = CompileGeneratedClass(Load(file), int8, int8Bytes, variants, ("Sample.Model.fp32.kernels", fp32Bytes));
        Assert.Contains("new global::Optimizer.Runtime.CompiledVariant(\"fp32\", \"Sample.Model.fp32.kernels\", null, __KernelSchedule1.Instance),", source);

        float[] images = Synthetic(7 * 64, 3);
        foreach (var (name, program) in new[] { ("int8", int8), ("fp32", fp32) })
        {
            using var model = (OnnxModelBase)Activator.CreateInstance(classType, [new ModelOptions { Path = ExecutionPathKind.Compiled, AllowFallback = false, Variant = name }])!;
            Assert.Equal(name, model.ExecutionPath.Variant);
            Assert.Equal("generated", model.ExecutionPath.Schedule);
            output.WriteLine($"{file} {name}: {model.ExecutionPath}");

            float[] expected = new float[7 * 10];
            using (var executor = new KernelExecutor(program))
            {
                executor.Run([[7, 1, 8, 8]], [images], [expected]);
            }

            object input = Activator.CreateInstance(classType.GetNestedType("Input")!, new ModelTensor<float>(images, 7, 1, 8, 8))!;
            object outputs = classType.GetMethod("Run", [input.GetType()])!.Invoke(model, [input])!;
            float[] actual = ((ModelTensor<float>)outputs.GetType().GetProperties()[0].GetValue(outputs)!).Span.ToArray();
            Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), actual.Select(BitConverter.SingleToInt32Bits));
        }

        // The kernel table's answer for this CPU: int8 only over the fp32 paths it was measured faster than.
        bool int8DotProduct = KernelDispatch.Current.Int8DotProduct;
        using var automatic = (OnnxModelBase)Activator.CreateInstance(classType, [new ModelOptions { Path = ExecutionPathKind.Compiled }])!;
        Assert.Equal(int8DotProduct ? "int8" : "fp32", automatic.ExecutionPath.Variant);
        Assert.EndsWith($" [{automatic.ExecutionPath.Variant}]", automatic.ExecutionPath.ToString());
    }

    private static ManifestCompiledProgram Describe(string resourceName, byte[] bytes, KernelProgram program) =>
        new(resourceName, bytes.LongLength, program.Steps.Count, []) { Schedule = ScheduleText.Format(program) };

    /// <summary>The engine's manifest (with the schedule) → generator → Roslyn assembly with the program embedded; returns the class and the generated source.</summary>
    private static (Type Class, string Source) CompileGeneratedClass(OnnxModel model, KernelProgram program, byte[] bytes,
        IReadOnlyList<ManifestVariant>? variants = null, (string Name, byte[] Bytes)? extraResource = null, IReadOnlyList<ManifestValue>? inputValues = null)
    {
        var manifest = new ModelManifest("0.0.0-test", "Sample.Model", "Sample.Model", "model.onnx", "Sample.Model.onnx", "00", "00", 0, 0, [],
            inputValues ?? model.Graph.Inputs.Select(i => Value(i.Name, i.Type!.Shape!)).ToArray(),
            program.Outputs.Select(o => new ManifestValue(o.Name, "float32", o.Dims.Select(d => d.Constant is { } size ? (object?)size : program.Symbols[d.SymbolIndex ?? 0]).ToArray(), null)).ToArray())
        {
            Execution = new ManifestExecution(["OnnxRuntime", "Compiled"],
                new ManifestCompiledProgram("Sample.Model.kernels", bytes.LongLength, program.Steps.Count, [])
                {
                    Schedule = ScheduleText.Format(program),
                },
                [])
            {
                Variants = variants ?? [],
            },
        };
        string json = System.Text.Encoding.UTF8.GetString(ManifestWriter.ToBytes(manifest));
        GeneratorRun run = GeneratorHarness.Run("namespace Sample; [Optimizer.Runtime.OnnxModel(\"model.onnx\")] public partial class Model;", ("obj/optimizer/Sample.Model.model.json", json));
        run.AssertCompilesCleanly();

        using var image = new MemoryStream();
        var resources = new List<ResourceDescription> { new("Sample.Model.kernels", () => new MemoryStream(bytes), isPublic: true) };
        if (extraResource is { } extra)
        {
            resources.Add(new ResourceDescription(extra.Name, () => new MemoryStream(extra.Bytes), isPublic: true));
        }

        EmitResult emitted = run.Output.Emit(image, manifestResources: resources);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        image.Position = 0;
        Type type = new AssemblyLoadContext("generated-schedule", isCollectible: true).LoadFromStream(image).GetType("Sample.Model", throwOnError: true)!;
        return (type, run.SingleSource);
    }

    private static ManifestValue Value(string name, IReadOnlyList<Dim> shape) =>
        new(name, "float32", shape.Select(d => d.Size is { } size ? (object?)size : "batch").ToArray(), null);

    private static float[] Synthetic(long count, int seed)
    {
        var random = new Random(17 + seed);
        return Enumerable.Range(0, checked((int)count)).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }

    private static OnnxModel Load(string key)
    {
        string[] parts = key.Split('#');
        OnnxModel model = OnnxModelLoader.Load(Path.Combine(Data, "models", parts[0]));
        if (parts.Length == 1)
        {
            return model;
        }

        var context = new PassContext
        {
            CalibrationData = new Dictionary<string, SampleSet>
            {
                ["digits_train"] = FloatInputSamples.From(model, RawFloat32Parser.Parse(File.ReadAllBytes(Path.Combine(Data, "digits", "digits_train_x_1347x64.f32")), [1347, 1, 8, 8]), "digits training images"),
            },
            Executor = new OnnxRuntimeModelExecutor(),
        };
        var options = new Dictionary<string, string> { ["Mode"] = "StaticInt8", ["Calibration"] = "digits_train" };
        return PassPipeline.Run(model, [new PassRequest("Quantize", options)], context).Model;
    }
}
