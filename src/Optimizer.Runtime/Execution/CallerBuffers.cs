using System.Buffers;
using System.Runtime.CompilerServices;
using Microsoft.ML.OnnxRuntime;

namespace Optimizer.Runtime;

/// <summary>
/// The caller's input and output tensors of <c>Run(input, output)</c>, pinned and bound once and
/// reused for as long as the caller passes the same <c>Input</c> and <c>Output</c> objects (their
/// tensors and shapes cannot change): an ONNX Runtime I/O binding over the caller's memory, or the
/// pinned addresses and the symbolic dimensions' values for the compiled kernels. A repeated call allocates nothing.
/// </summary>
/// <remarks>A model keeps the last set (<see cref="OnnxModelBase"/>); one call uses a set at a time.</remarks>
internal sealed class CallerBuffers : IDisposable
{
    private readonly OnnxModelBase _model;
    private readonly int _inputCount;

    // One slot per tensor: the inputs in graph order, then the outputs.
    private readonly MemoryHandle[] _pins;
    private readonly nint[] _addresses;
    private readonly int[]?[] _shapes;
    private readonly long[] _byteLengths;
    private readonly OrtValue?[] _values;
    private OrtIoBinding? _binding;
    private long[] _symbols = [];

    public CallerBuffers(OnnxModelBase model, object input, object output)
    {
        _model = model;
        Input = input;
        Output = output;
        _inputCount = model.InputNames.Length;
        int slots = _inputCount + model.OutputNames.Length;
        _pins = new MemoryHandle[slots];
        _addresses = new nint[slots];
        _shapes = new int[slots][];
        _byteLengths = new long[slots];
        _values = new OrtValue[slots];
    }

    public object Input { get; }

    public object Output { get; }

    /// <summary>Whether every tensor is bound and a call has run on them, so the next call can skip binding.</summary>
    public bool IsBound { get; private set; }

    public bool IsFor(object input, object output) => ReferenceEquals(Input, input) && ReferenceEquals(Output, output);

    public void BindInput<T>(int index, ModelTensor<T> tensor) => Bind(index, tensor);

    /// <summary>The pinned address and shape of the caller's input at <paramref name="index"/> (0 and null before it is bound).</summary>
    public (nint Address, int[]? Shape) BoundInput(int index) => (_addresses[index], _shapes[index]);

    public void BindOutput<T>(int index, ModelTensor<T> tensor) => Bind(_inputCount + index, tensor);

    /// <summary>Runs the model from the bound inputs into the bound outputs; the first call checks the output shapes.</summary>
    /// <exception cref="TensorShapeException">An output tensor does not have the shape the model gives for these inputs.</exception>
    public void Execute()
    {
        if (!IsBound)
        {
            Prepare();
        }

        if (_model.Compiled is CompiledModel compiled)
        {
            compiled.Run(_symbols, _addresses.AsSpan(0, _inputCount), _addresses.AsSpan(_inputCount));
        }
        else if (_binding is not null)
        {
            RunWithBinding();
        }
        else
        {
            RunAndCopy();
        }

        IsBound = true;
    }

    public void Dispose()
    {
        _binding?.Dispose();
        _binding = null;
        for (int slot = 0; slot < _pins.Length; slot++)
        {
            _values[slot]?.Dispose();
            _values[slot] = null;
            _pins[slot].Dispose();
            _pins[slot] = default;
        }
    }

    private unsafe void Bind<T>(int slot, ModelTensor<T> tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (RuntimeHelpers.IsReferenceOrContainsReferences<T>())
        {
            throw new NotSupportedException($"Model '{_model.Description.Name}': Run(input, output) cannot bind {typeof(T).Name} tensors in place; call Run(input).");
        }

        MemoryHandle pin = tensor.Memory.Pin();
        _pins[slot] = pin;
        _addresses[slot] = (nint)pin.Pointer;
        _shapes[slot] = tensor.ShapeArray;
        _byteLengths[slot] = (long)tensor.Length * Unsafe.SizeOf<T>();
        if (_model.Session is not null)
        {
            _values[slot] = OrtValue.CreateTensorValueWithData(
                OrtMemoryInfo.DefaultInstance, OrtElementTypes.Of<T>(), Array.ConvertAll(tensor.ShapeArray, size => (long)size), (nint)pin.Pointer, _byteLengths[slot]);
        }
    }

    /// <summary>Checks each output's shape against what the path gives for these inputs, and binds ONNX Runtime's I/O once.</summary>
    private void Prepare()
    {
        int[]?[] inputShapes = _shapes[.._inputCount];
        if (_model.Compiled is CompiledModel compiled)
        {
            _symbols = compiled.Bind(inputShapes);
            for (int i = 0; i < _model.OutputNames.Length; i++)
            {
                CheckOutputShape(i, compiled.OutputShape(i, _symbols));
            }

            return;
        }

        if (_model.OutputPlan is not OutputAllocationPlan plan || _model.PreallocationFailed)
        {
            return; // shapes known only after the run: RunAndCopy checks them
        }

        for (int i = 0; i < _model.OutputNames.Length; i++)
        {
            CheckOutputShape(i, plan.Shape(i, inputShapes));
        }

        InferenceSession session = _model.Session!;
        _binding = session.CreateIoBinding();
        for (int i = 0; i < _inputCount; i++)
        {
            _binding.BindInput(_model.InputNames[i], _values[i]!);
        }

        for (int i = 0; i < _model.OutputNames.Length; i++)
        {
            _binding.BindOutput(_model.OutputNames[i], _values[_inputCount + i]!);
        }
    }

    private void RunWithBinding()
    {
        try
        {
            _model.Session!.RunWithBinding(_model.RunOptions, _binding!);
        }
        catch (OnnxRuntimeException) when (!IsBound)
        {
            // The session's declared output shapes were wrong for these inputs: let ONNX Runtime
            // allocate the outputs and copy them (a genuine error recurs there, a shape is named).
            _binding!.Dispose();
            _binding = null;
            RunAndCopy();
        }
    }

    /// <summary>For outputs whose shapes ONNX Runtime knows only after running: run, check each shape, copy into the caller's tensor.</summary>
    private unsafe void RunAndCopy()
    {
        using IDisposableReadOnlyCollection<OrtValue> results = _model.Session!.Run(
            _model.RunOptions, _model.InputNames, _values[.._inputCount]!, _model.OutputNames);
        for (int i = 0; i < results.Count; i++)
        {
            int[] shape = Array.ConvertAll(results[i].GetTensorTypeAndShape().Shape, size => checked((int)size));
            CheckOutputShape(i, shape);
            int slot = _inputCount + i;
            results[i].GetTensorMutableRawData().CopyTo(new Span<byte>((void*)_addresses[slot], checked((int)_byteLengths[slot])));
        }
    }

    private void CheckOutputShape(int index, int[] expected)
    {
        int[] actual = _shapes[_inputCount + index]!;
        if (!actual.AsSpan().SequenceEqual(expected))
        {
            string name = _model.OutputNames[index];
            throw new TensorShapeException(
                $"Model '{_model.Description.Name}' output '{name}' has shape {TensorShapeFormatter.Format(expected)} for these inputs but the tensor given for it is {TensorShapeFormatter.Format(actual)}. Pass an output tensor of shape {TensorShapeFormatter.Format(expected)}.",
                name);
        }
    }
}
