using System.Diagnostics;

namespace Optimizer.Runtime.Telemetry;

/// <summary>
/// What one model instance reports per run (<see cref="OptimizerTelemetry"/>): the tags fixed when it
/// was created (model, execution path, variant) and the inputs that carry a calibrated range. Only
/// used while <see cref="RuntimeInstruments.IsObserved"/>; the tags are built once so a run allocates nothing.
/// </summary>
internal sealed class ModelInstrumentation
{
    private const int MaxCachedBatchSize = 256;

    // Boxed once: a tag's value is an object, and boxing per run would allocate.
    private static readonly object[] BatchSizes = Enumerable.Range(0, MaxCachedBatchSize + 1).Select(size => (object)size).ToArray();

    private readonly KeyValuePair<string, object?> _model;
    private readonly KeyValuePair<string, object?> _path;
    private readonly KeyValuePair<string, object?> _variant;
    private readonly RangedInput[] _rangedInputs;

    public ModelInstrumentation(ModelMetadata metadata, ExecutionPath path)
    {
        _model = new(OptimizerTelemetry.ModelTag, metadata.Name);
        _path = new(OptimizerTelemetry.ExecutionPathTag, path.Kind == ExecutionPathKind.Compiled ? "compiled" : "onnxruntime");
        _variant = new(OptimizerTelemetry.VariantTag, path.Variant ?? "default");
        _rangedInputs = metadata.Inputs
            .Select((input, index) => (input, index))
            .Where(x => x.input.CalibratedRange is not null && RangedInput.Reads(x.input.ElementType))
            .Select(x => new RangedInput(x.index, x.input.ElementType, x.input.CalibratedRange!.Value,
                [_model, new(OptimizerTelemetry.InputTag, x.input.Name)]))
            .ToArray();
    }

    /// <summary>The inputs with a calibrated range, whose elements outside it are counted.</summary>
    public ReadOnlySpan<RangedInput> RangedInputs => _rangedInputs;

    /// <summary>Starts observing one run on inputs whose first has <paramref name="batchSize"/> as leading dimension.</summary>
    public RunObservation Begin(int batchSize)
    {
        var tags = new TagList { _model, _path, _variant, { OptimizerTelemetry.BatchSizeTag, batchSize is >= 0 and <= MaxCachedBatchSize ? BatchSizes[batchSize] : batchSize } };
        Activity? activity = RuntimeInstruments.Source.StartActivity(OptimizerTelemetry.RunActivityName, ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                activity.SetTag(tag.Key, tag.Value);
            }
        }

        return new RunObservation(tags, activity, Stopwatch.GetTimestamp());
    }

    /// <summary>Adds the elements of <paramref name="input"/> outside its range to the counter (nothing when all are inside).</summary>
    public static unsafe void CountOutOfRange(in RangedInput input, nint address, long length)
    {
        if (!RuntimeInstruments.OutOfRange.Enabled || address == 0 || length <= 0)
        {
            return;
        }

        long outside = input.CountOutside((void*)address, length);
        if (outside > 0)
        {
            RuntimeInstruments.OutOfRange.Add(outside, input.Tags);
        }
    }
}

/// <summary>An input with a calibrated range: its index in graph order, element type, range and the counter's tags.</summary>
internal readonly struct RangedInput(int index, string elementType, ValueRange range, KeyValuePair<string, object?>[] tags)
{
    public int Index { get; } = index;

    public ReadOnlySpan<KeyValuePair<string, object?>> Tags => tags;

    /// <summary>Whether inputs of this manifest element type are counted (the floating-point ones).</summary>
    public static bool Reads(string elementType) => elementType is "float32" or "float64" or "float16";

    public unsafe long CountOutside(void* data, long length)
    {
        // Spans are int-indexed: a tensor of over 2^31 elements is counted in slices.
        long outside = 0;
        for (long start = 0; start < length; start += int.MaxValue)
        {
            int count = (int)Math.Min(int.MaxValue, length - start);
            outside += elementType switch
            {
                "float32" => OutOfRangeCount.Of(new ReadOnlySpan<float>((float*)data + start, count), (float)range.Min, (float)range.Max),
                "float64" => OutOfRangeCount.Of(new ReadOnlySpan<double>((double*)data + start, count), range.Min, range.Max),
                _ => OutOfRangeCount.Of(new ReadOnlySpan<Half>((Half*)data + start, count), range.Min, range.Max),
            };
        }

        return outside;
    }
}

/// <summary>One observed run: its tags, activity and start time; <see cref="Complete"/> records it.</summary>
internal readonly struct RunObservation(TagList tags, Activity? activity, long startTimestamp)
{
    /// <summary>Records the duration and the count (with <c>error.type</c> when <paramref name="error"/> is set) and ends the activity.</summary>
    public void Complete(Exception? error)
    {
        double seconds = Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds;
        TagList recorded = tags;
        if (error is not null)
        {
            string errorType = error.GetType().FullName ?? error.GetType().Name;
            recorded.Add(OptimizerTelemetry.ErrorTypeTag, errorType);
            if (activity is not null)
            {
                activity.SetTag(OptimizerTelemetry.ErrorTypeTag, errorType);
                activity.SetStatus(ActivityStatusCode.Error, error.Message);
            }
        }

        RuntimeInstruments.Duration.Record(seconds, recorded);
        RuntimeInstruments.Count.Add(1, recorded);
        activity?.Dispose();
    }
}
