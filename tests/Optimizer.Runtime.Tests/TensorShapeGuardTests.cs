namespace Optimizer.Runtime.Tests;

public class TensorShapeGuardTests
{
    private static readonly ModelMetadata TwoInputs = new(
        "Sample.Pair",
        "unused.onnx",
        [
            new TensorMetadata("tokens", "int64", [TensorDimension.Symbolic("batch"), TensorDimension.Symbolic("sequence")]),
            new TensorMetadata("mask", "int64", [TensorDimension.Symbolic("batch"), TensorDimension.Unknown, TensorDimension.Fixed(4)]),
            new TensorMetadata("anything", "float32", null),
        ],
        []);

    [Fact]
    public void Accepts_matching_shapes_with_bound_symbols_and_unknown_dimensions()
    {
        var guard = new TensorShapeGuard(TwoInputs);

        guard.Check(0, ModelTensor<long>.Zeros(3, 7));
        guard.Check(1, ModelTensor<long>.Zeros(3, 11, 4));
        guard.Check(2, ModelTensor<float>.Zeros(1, 2, 3, 4, 5));
    }

    [Fact]
    public void Names_model_input_expected_and_actual_shapes_when_a_fixed_dimension_differs()
    {
        var guard = new TensorShapeGuard(DigitsMlp.Metadata);

        var ex = Assert.Throws<TensorShapeException>(() => guard.Check(0, ModelTensor<float>.Zeros(2, 1, 8, 9)));

        Assert.Equal(
            "Model 'Tests.DigitsMlp' input 'input' expects shape [batch, 1, 8, 8] but got [2, 1, 8, 9]: dimension 3 must be 8. Reshape the tensor to match. (Parameter 'input')",
            ex.Message);
        Assert.Equal("input", ex.ParamName);
    }

    [Fact]
    public void Rejects_a_wrong_rank()
    {
        var guard = new TensorShapeGuard(DigitsMlp.Metadata);

        var ex = Assert.Throws<TensorShapeException>(() => guard.Check(0, ModelTensor<float>.Zeros(1, 64)));

        Assert.Contains("expects shape [batch, 1, 8, 8] but got [1, 64]: it needs rank 4, not 2", ex.Message);
    }

    [Fact]
    public void Rejects_a_symbol_bound_to_different_sizes_in_two_inputs()
    {
        var guard = new TensorShapeGuard(TwoInputs);
        guard.Check(0, ModelTensor<long>.Zeros(3, 7));

        var ex = Assert.Throws<TensorShapeException>(() => guard.Check(1, ModelTensor<long>.Zeros(2, 7, 4)));

        Assert.Contains("input 'mask' expects shape [batch, ?, 4] but got [2, 7, 4]: dimension 0 ('batch') is 2 here but 3 in input 'tokens'", ex.Message);
    }

    [Fact]
    public void Rejects_a_missing_tensor_by_input_name()
    {
        var guard = new TensorShapeGuard(DigitsMlp.Metadata);

        var ex = Assert.Throws<ArgumentNullException>(() => guard.Check<float>(0, null!));

        Assert.Equal("input", ex.ParamName);
    }

    [Fact]
    public void Describes_shapes_with_symbols()
    {
        Assert.Equal("input: float32[batch, 1, 8, 8]", DigitsMlp.Metadata.Inputs[0].ToString());
        Assert.Equal("[*]", TwoInputs.Inputs[2].FormatShape());
    }
}
