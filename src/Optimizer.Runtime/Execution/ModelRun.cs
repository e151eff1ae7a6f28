using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Optimizer.Runtime.Telemetry;

namespace Optimizer.Runtime;

/// <summary>
/// One call of a model, as generated <c>Run</c> methods drive it: bind every input, execute, read
/// every output, dispose. Inputs are passed to ONNX Runtime in place (pinned, not copied). Outputs
/// are new tensors the caller owns; when their shapes follow from the inputs' shapes, ONNX
/// Runtime writes them straight into those tensors' arrays. A run begun with the caller's
/// <c>Input</c> and <c>Output</c> (<c>Run(input, output)</c>) writes into the output tensors instead,
/// and skips binding when they are the ones the previous such call bound (<see cref="IsBound"/>).
/// </summary>
/// <remarks>Obtained from <see cref="OnnxModelBase.BeginRun()"/>; use it on one thread and dispose it.</remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public ref struct ModelRun
{
    private readonly OnnxModelBase _model;
    private RunBuffers? _buffers;
    private IDisposableReadOnlyCollection<OrtValue>? _results;
    private CallerBuffers? _caller;
    private bool _executed;

    internal ModelRun(OnnxModelBase model, RunBuffers buffers)
        : this(model, buffers, null)
    {
    }

    internal ModelRun(OnnxModelBase model, CallerBuffers caller)
        : this(model, null, caller)
    {
    }

    private ModelRun(OnnxModelBase model, RunBuffers? buffers, CallerBuffers? caller)
    {
        _model = model;
        _buffers = buffers;
        _caller = caller;
        _results = null;
        _executed = false;
    }

    /// <summary>
    /// Whether the caller's tensors are already bound (the same <c>Input</c> and <c>Output</c> as the
    /// previous <c>Run(input, output)</c>): then skip <see cref="BindInput{T}"/> and <see cref="BindOutput{T}"/>.
    /// </summary>
    public readonly bool IsBound => _caller is { IsBound: true };

    /// <summary>Binds the caller's tensor for the model output at <paramref name="index"/> (graph order); the run writes into it.</summary>
    /// <exception cref="InvalidOperationException">The run was not begun with the caller's output.</exception>
    public readonly void BindOutput<T>(int index, ModelTensor<T> tensor) =>
        (_caller ?? throw new InvalidOperationException("BindOutput needs a run begun with BeginRun(input, output).")).BindOutput(index, tensor);

    /// <summary>Binds the model input at <paramref name="index"/> (graph order) to <paramref name="tensor"/> without copying it.</summary>
    public readonly unsafe void BindInput<T>(int index, ModelTensor<T> tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (_caller is not null)
        {
            _caller.BindInput(index, tensor);
            return;
        }

        RunBuffers buffers = Buffers;
        long[] shape = ToLongs(tensor.Shape);
        buffers.InputShapes[index] = tensor.ShapeArray;
        if (typeof(T) == typeof(string))
        {
            // Strings cannot be shared with native code; they are the one input that is copied.
            var value = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape);
            buffers.Inputs[index] = value;
            ReadOnlySpan<string> strings = ((ModelTensor<string>)(object)tensor).Span;
            for (int i = 0; i < strings.Length; i++)
            {
                value.StringTensorSetElementAt((strings[i] ?? string.Empty).AsSpan(), i);
            }

            return;
        }

        MemoryHandle pin = tensor.Memory.Pin();
        buffers.InputPins[index] = pin;
        if (_model.Compiled is not null)
        {
            return; // the kernels read the pinned memory; no ONNX Runtime value
        }

        buffers.Inputs[index] = OrtValue.CreateTensorValueWithData(
            OrtMemoryInfo.DefaultInstance, OrtElementTypes.Of<T>(), shape, (IntPtr)pin.Pointer, (long)tensor.Length * Unsafe.SizeOf<T>());
    }

    /// <summary>Runs the model on the bound inputs.</summary>
    /// <exception cref="InvalidOperationException">An input was not bound, or the run already happened.</exception>
    /// <exception cref="OnnxRuntimeException">ONNX Runtime rejected the inputs or failed while running.</exception>
    public void Execute()
    {
        if (_executed)
        {
            throw new InvalidOperationException("This run already executed; begin a new run for another call.");
        }

        if (!RuntimeInstruments.IsObserved)
        {
            ExecuteUnobserved();
            return;
        }

        // A listener is attached (OptimizerTelemetry): count inputs outside their calibrated range, then time the run.
        ModelInstrumentation instrumentation = _model.Instrumentation;
        foreach (ref readonly RangedInput input in instrumentation.RangedInputs)
        {
            (nint address, int[]? shape) = BoundInput(input.Index);
            ModelInstrumentation.CountOutOfRange(input, address, shape is null ? 0 : ElementCount(shape));
        }

        int[]? first = _model.InputNames.Length > 0 ? BoundInput(0).Shape : null;
        RunObservation observation = instrumentation.Begin(first is { Length: > 0 } ? first[0] : 1);
        try
        {
            ExecuteUnobserved();
        }
        catch (Exception ex)
        {
            observation.Complete(ex);
            throw;
        }

        observation.Complete(null);
    }

    private void ExecuteUnobserved()
    {
        if (_caller is not null)
        {
            _caller.Execute();
            _executed = true;
            return;
        }

        RunBuffers buffers = Buffers;
        for (int i = 0; i < buffers.Inputs.Length; i++)
        {
            if (buffers.InputShapes[i] is null)
            {
                throw new InvalidOperationException($"Model '{_model.Description.Name}' input '{_model.InputNames[i]}' was not bound before Execute.");
            }
        }

        _executed = true;
        if (_model.Compiled is CompiledModel compiled)
        {
            RunCompiled(compiled, buffers);
            return;
        }

        if (_model.OutputPlan is OutputAllocationPlan plan && TryRunIntoCallerArrays(plan, buffers))
        {
            return;
        }

        _results = _model.Session!.Run(_model.RunOptions, _model.InputNames, buffers.Inputs, _model.OutputNames);
    }

    /// <summary>The output at <paramref name="index"/> (graph order) as a new tensor the caller owns.</summary>
    /// <exception cref="InvalidOperationException">The run has not executed yet.</exception>
    public readonly ModelTensor<T> GetOutput<T>(int index)
    {
        if (_caller is not null)
        {
            throw new InvalidOperationException("This run wrote its outputs into the caller's tensors; read them there.");
        }

        RunBuffers buffers = Buffers;
        if (!_executed)
        {
            throw new InvalidOperationException("Execute the run before reading its outputs.");
        }

        if (buffers.OutputArrays[index] is T[] array)
        {
            return new ModelTensor<T>(array, buffers.OutputShapes[index]!);
        }

        if (_results is null)
        {
            throw new NotSupportedException($"Output '{_model.OutputNames[index]}' is {buffers.OutputArrays[index]?.GetType().GetElementType()?.Name}, not {typeof(T).Name}.");
        }

        OrtValue value = _results![index];
        int[] shape = ToInts(value.GetTensorTypeAndShape().Shape);
        if (typeof(T) == typeof(string))
        {
            return (ModelTensor<T>)(object)new ModelTensor<string>(value.GetStringTensorAsArray(), shape);
        }

        if (RuntimeHelpers.IsReferenceOrContainsReferences<T>())
        {
            throw new NotSupportedException($"Output '{_model.OutputNames[index]}' cannot be read as {typeof(T).Name}.");
        }

        Span<byte> bytes = value.GetTensorMutableRawData();
        Span<T> elements = MemoryMarshal.CreateSpan(ref Unsafe.As<byte, T>(ref MemoryMarshal.GetReference(bytes)), bytes.Length / Unsafe.SizeOf<T>());
        return new ModelTensor<T>(elements.ToArray(), shape);
    }

    /// <summary>Releases the native values of this run; the tensors already read stay valid.</summary>
    public void Dispose()
    {
        if (_caller is CallerBuffers caller)
        {
            // Kept for the next call only when it ran: a failed first call (a wrong output shape) binds again.
            _caller = null;
            if (caller.IsBound)
            {
                _model.ReturnCallerBuffers(caller);
            }
            else
            {
                caller.Dispose();
            }
        }

        _results?.Dispose();
        _results = null;
        if (_buffers is RunBuffers buffers)
        {
            _buffers = null;
            buffers.Release();
            _model.ReturnBuffers(buffers);
        }
    }

    /// <summary>The address and shape of the input at <paramref name="index"/> as bound for this run (0 and null when unbound).</summary>
    private readonly unsafe (nint Address, int[]? Shape) BoundInput(int index)
    {
        if (_caller is not null)
        {
            return _caller.BoundInput(index);
        }

        RunBuffers buffers = Buffers;
        return ((nint)buffers.InputPins[index].Pointer, buffers.InputShapes[index]);
    }

    private static long ElementCount(int[] shape)
    {
        long count = 1;
        foreach (int size in shape)
        {
            count *= size;
        }

        return count;
    }

    private readonly RunBuffers Buffers => _buffers ?? throw new ObjectDisposedException(nameof(ModelRun));

    private readonly unsafe bool TryRunIntoCallerArrays(OutputAllocationPlan plan, RunBuffers buffers)
    {
        if (_model.PreallocationFailed)
        {
            return false;
        }

        for (int i = 0; i < buffers.Outputs.Length; i++)
        {
            int[] shape = plan.Shape(i, buffers.InputShapes);
            long length = ElementCount(shape);

            Type elementType = plan.ElementType(i);
            Array array = OrtElementTypes.NewArray(elementType, length);
            GCHandle handle = GCHandle.Alloc(array, GCHandleType.Pinned);
            buffers.OutputPins[i] = new MemoryHandle((void*)handle.AddrOfPinnedObject(), handle);
            buffers.OutputArrays[i] = array;
            buffers.OutputShapes[i] = shape;
            buffers.Outputs[i] = OrtValue.CreateTensorValueWithData(
                OrtMemoryInfo.DefaultInstance, OrtElementTypes.Of(elementType), ToLongs(shape), (IntPtr)handle.AddrOfPinnedObject(), length * OrtElementTypes.ByteSize(elementType));
        }

        try
        {
            _model.Session!.Run(_model.RunOptions, _model.InputNames, buffers.Inputs, _model.OutputNames, buffers.Outputs);
            return true;
        }
        catch (OnnxRuntimeException)
        {
            // The session's declared output shapes were wrong for these inputs: stop predicting them
            // for this model and let ONNX Runtime allocate outputs (a genuine error recurs there).
            _model.PreallocationFailed = true;
            for (int i = 0; i < buffers.Outputs.Length; i++)
            {
                buffers.Outputs[i].Dispose();
                buffers.Outputs[i] = null!;
                buffers.OutputPins[i].Dispose();
                buffers.OutputPins[i] = default;
                buffers.OutputArrays[i] = null;
                buffers.OutputShapes[i] = null;
            }

            return false;
        }
    }

    /// <summary>The compiled kernels: outputs are new arrays of the program's shapes for this batch, written in place.</summary>
    private readonly unsafe void RunCompiled(CompiledModel compiled, RunBuffers buffers)
    {
        long[] symbols = compiled.Bind(buffers.InputShapes);
        Span<nint> inputs = stackalloc nint[buffers.InputPins.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            inputs[i] = (nint)buffers.InputPins[i].Pointer;
        }

        Span<nint> outputs = stackalloc nint[buffers.OutputArrays.Length];
        for (int i = 0; i < outputs.Length; i++)
        {
            Array array = compiled.NewOutput(i, symbols);
            GCHandle handle = GCHandle.Alloc(array, GCHandleType.Pinned);
            buffers.OutputPins[i] = new MemoryHandle((void*)handle.AddrOfPinnedObject(), handle);
            buffers.OutputArrays[i] = array;
            buffers.OutputShapes[i] = compiled.OutputShape(i, symbols);
            outputs[i] = handle.AddrOfPinnedObject();
        }

        compiled.Run(symbols, inputs, outputs);
    }

    private static long[] ToLongs(ReadOnlySpan<int> shape)
    {
        var result = new long[shape.Length];
        for (int i = 0; i < shape.Length; i++)
        {
            result[i] = shape[i];
        }

        return result;
    }

    private static int[] ToInts(long[] shape) => Array.ConvertAll(shape, size => checked((int)size));
}
