namespace Optimizer.Runtime.Tests;

/// <summary>Written by hand exactly the way the generator writes a class for digits_mlp.onnx.</summary>
internal sealed class DigitsMlp : OnnxModelBase
{
    public DigitsMlp(ModelOptions? options = null)
        : base(Metadata, typeof(DigitsMlp).Assembly, options)
    {
    }

    public static ModelMetadata Metadata { get; } = new(
        "Tests.DigitsMlp",
        "Optimizer.Runtime.Tests.digits_mlp.onnx",
        [new TensorMetadata("input", "float32", [TensorDimension.Symbolic("batch"), TensorDimension.Fixed(1), TensorDimension.Fixed(8), TensorDimension.Fixed(8)])],
        [new TensorMetadata("logits", "float32", [TensorDimension.Symbolic("batch"), TensorDimension.Fixed(10)])]);

    public Output Run(Input input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using ModelRun run = BeginRun();
        run.BindInput(0, input.InputValue);
        run.Execute();
        return new Output(run.GetOutput<float>(0));
    }

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

    public sealed class Input
    {
        public Input(ModelTensor<float> inputValue)
        {
            var guard = new TensorShapeGuard(Metadata);
            guard.Check(0, inputValue);
            InputValue = inputValue;
        }

        public ModelTensor<float> InputValue { get; }
    }

    public sealed class Output
    {
        public Output(ModelTensor<float> logits) => Logits = logits;

        public ModelTensor<float> Logits { get; }
    }
}

/// <summary>A class whose resource was never embedded, as after a build that skipped the optimizer.</summary>
internal sealed class MissingModel : OnnxModelBase
{
    public static readonly ModelMetadata Metadata = new("Tests.MissingModel", "Optimizer.Runtime.Tests.missing.onnx", [], []);

    public MissingModel()
        : base(Metadata, typeof(MissingModel).Assembly, null)
    {
    }
}

/// <summary>Metadata that names an input the embedded model lacks, as with a stale generated class.</summary>
internal sealed class StaleDigits : OnnxModelBase
{
    public static readonly ModelMetadata Metadata = new(
        "Tests.StaleDigits",
        "Optimizer.Runtime.Tests.digits_mlp.onnx",
        [new TensorMetadata("pixels", "float32", null)],
        [new TensorMetadata("logits", "float32", null)]);

    public StaleDigits()
        : base(Metadata, typeof(StaleDigits).Assembly, null)
    {
    }
}
