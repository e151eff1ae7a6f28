using System.Reflection;
using Optimizer.Compiler;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Runtime.Tests;

/// <summary>
/// digits_mlp as the generator writes it, in an assembly that embeds the model and (unless asked
/// not to) the real kernel program KernelCompiler makes of it, as the engine does. Also compiled
/// into tests/Optimizer.Benchmarks (linked), hence the model path as a parameter.
/// </summary>
internal sealed class CompiledDigitsMlp(Assembly assembly, ModelOptions? options, ModelMetadata? metadata = null) : OnnxModelBase(metadata ?? Metadata, assembly, options)
{
    private const string Resource = "Tests.digits_mlp.onnx";

    private static readonly ModelMetadata Metadata = MetadataFor("Tests.CompiledMlp", null, null);

    /// <summary>The generated metadata under another model name, with the range and Auto decision the build would have put in the manifest.</summary>
    private static ModelMetadata MetadataFor(string name, ValueRange? inputRange, AutoPathChoice? autoPath, string? modelFile = null) => new(
        name,
        Resource,
        [new TensorMetadata("input", "float32", [TensorDimension.Symbolic("batch"), TensorDimension.Fixed(1), TensorDimension.Fixed(8), TensorDimension.Fixed(8)]) { CalibratedRange = inputRange }],
        [new TensorMetadata("logits", "float32", [TensorDimension.Symbolic("batch"), TensorDimension.Fixed(10)])]) { AutoPath = autoPath, ModelFile = modelFile };

    private static readonly Dictionary<string, byte[]> Programs = new();

    /// <param name="metadataProps">Entries added to the embedded model's ONNX metadata_props (e.g. <c>labels</c>).</param>
    /// <param name="name">The model name in place of <c>Tests.CompiledMlp</c> (telemetry tests tell their runs apart by it).</param>
    /// <param name="inputRange">The input's calibrated range, as a manifest would carry it.</param>
    /// <param name="autoPath">What the generator writes when the build timed the compiled kernels faster (<see cref="ModelMetadata.AutoPath"/>).</param>
    public static CompiledDigitsMlp Create(string modelPath, ModelOptions? options, bool withProgram = true, IReadOnlyDictionary<string, string>? metadataProps = null,
        string? name = null, ValueRange? inputRange = null, AutoPathChoice? autoPath = null, ProgramWeights programWeights = ProgramWeights.Inline)
    {
        byte[] model = File.ReadAllBytes(modelPath);
        if (metadataProps is not null)
        {
            var proto = Optimizer.Onnx.Protobuf.ModelProto.Parser.ParseFrom(model);
            proto.MetadataProps.AddRange(metadataProps.Select(p => new Optimizer.Onnx.Protobuf.StringStringEntryProto { Key = p.Key, Value = p.Value }));
            model = Google.Protobuf.MessageExtensions.ToByteArray(proto);
        }

        var resources = new Dictionary<string, byte[]> { [Resource] = model };
        if (withProgram)
        {
            resources["Tests.digits_mlp.kernels"] = ProgramOf(modelPath, programWeights);
        }

        bool asGenerated = name is null && inputRange is null && autoPath is null;
        var metadata = asGenerated ? null : MetadataFor(name ?? "Tests.CompiledMlp", inputRange, autoPath);
        return new CompiledDigitsMlp(new ResourcesAssembly(resources), options, metadata);
    }

    /// <summary>
    /// The class as generated for a build that stored the model as files (<see cref="ModelMetadata.ModelFile"/>):
    /// its assembly embeds nothing; the files are under <see cref="ModelOptions.ModelDirectory"/> (or the app's base directory).
    /// </summary>
    public static CompiledDigitsMlp FromFiles(string modelFile, ModelOptions? options) =>
        new(new ResourcesAssembly([]), options, MetadataFor("Tests.CompiledMlp", null, null, modelFile));

    public ModelTensor<float> Run(ModelTensor<float> input)
    {
        using ModelRun run = BeginRun();
        run.BindInput(0, input);
        run.Execute();
        return run.GetOutput<float>(0);
    }

    /// <summary>As generated.</summary>
    public Output Run(Input input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using ModelRun run = BeginRun();
        run.BindInput(0, input.InputValue);
        run.Execute();
        return new Output(run.GetOutput<float>(0));
    }

    /// <summary>As generated.</summary>
    public void Run(Input input, Output output)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        using ModelRun run = BeginRun(input, output);
        if (!run.IsBound)
        {
            run.BindInput(0, input.InputValue);
            run.BindOutput(0, output.Logits);
        }

        run.Execute();
    }

    /// <summary>
    /// The kernel program compiled from <paramref name="modelPath"/> (once per path and form): with
    /// <see cref="ProgramWeights.FromModel"/>, as a build embeds it, reading the weights that are the model's initializers from the model.
    /// </summary>
    public static byte[] ProgramOf(string modelPath, ProgramWeights weights = ProgramWeights.Inline)
    {
        lock (Programs)
        {
            string key = modelPath + "|" + weights;
            if (!Programs.TryGetValue(key, out byte[]? program))
            {
                program = KernelCompiler.Compile(OnnxModelLoader.Load(modelPath)).Program?.ToBytes(weights)
                    ?? throw new InvalidOperationException($"{modelPath} is not covered by the compiled kernels");
                Programs[key] = program;
            }

            return program;
        }
    }

    /// <summary>As generated (without the shape guard, which needs the metadata's symbols only).</summary>
    public sealed class Input(ModelTensor<float> inputValue)
    {
        public ModelTensor<float> InputValue { get; } = inputValue;
    }

    /// <summary>As generated.</summary>
    public sealed class Output(ModelTensor<float> logits)
    {
        public ModelTensor<float> Logits { get; } = logits;
    }

    /// <summary>Serves several manifest resources, as the build embeds the model and its kernel program.</summary>
    private sealed class ResourcesAssembly(Dictionary<string, byte[]> resources) : Assembly
    {
        public override Stream? GetManifestResourceStream(string name) => resources.TryGetValue(name, out var bytes) ? new MemoryStream(bytes, writable: false) : null;

        public override string[] GetManifestResourceNames() => resources.Keys.ToArray();

        public override AssemblyName GetName() => new("CompiledModels");
    }
}
