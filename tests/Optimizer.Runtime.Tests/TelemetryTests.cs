using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Optimizer.Tests.Shared;

namespace Optimizer.Runtime.Tests;

/// <summary>
/// The <c>Optimizer.Runtime</c> meter and activity source (issue 17) on the real digits MLP, on
/// ONNX Runtime and on the compiled kernels: one duration, one count and one activity per <c>Run</c>
/// tagged with model, path, variant and batch size; failed runs tagged with the exception type;
/// input elements outside the calibrated range counted exactly (NaN included). Each test names its
/// model uniquely, so runs of tests in parallel never mix in its figures. Its listeners are process-wide
/// and make every model's runs record (and allocate their activities), so it runs alone
/// (<see cref="ProcessWideListenersCollection"/>): the allocation tests must see no listener.
/// </summary>
[Collection(ProcessWideListenersCollection.Name)]
public sealed class TelemetryTests
{
    private static readonly ValueRange PixelRange = new(0, 1); // the digits pixels are scaled to 0..1

    [ConditionalTheory("data")]
    [InlineData(ExecutionPathKind.OnnxRuntime, "onnxruntime")]
    [InlineData(ExecutionPathKind.Compiled, "compiled")]
    public void Every_run_records_one_duration_one_count_and_one_activity_with_its_tags(ExecutionPathKind path, string pathTag)
    {
        string name = "Tests.Telemetry." + Guid.NewGuid().ToString("N");
        using var listener = new Recorder(name);
        using var model = CompiledDigitsMlp.Create(SharedData.PathOf("models/digits_mlp.onnx"), new ModelOptions { Path = path }, name: name);
        float[] images = Images(4);

        model.Run(new CompiledDigitsMlp.Input(new ModelTensor<float>(images, 4, 1, 8, 8)));
        model.Run(new CompiledDigitsMlp.Input(new ModelTensor<float>(images[..64], 1, 1, 8, 8)));
        model.Run(new CompiledDigitsMlp.Input(new ModelTensor<float>(images, 4, 1, 8, 8)), new CompiledDigitsMlp.Output(ModelTensor<float>.Zeros(4, 10)));

        string Tags(int batch) => $"error.type=, optimizer.batch_size={batch}, optimizer.execution_path={pathTag}, optimizer.model={name}, optimizer.variant=default";
        string[] expected = [Tags(4), Tags(1), Tags(4)];
        Assert.Equal(expected, listener.Durations.Select(d => d.Tags));
        Assert.All(listener.Durations, d => Assert.InRange(d.Seconds, 1e-9, 10));
        Assert.Equal(expected, listener.Counts);
        Assert.Equal(expected, listener.Activities.Select(a => a.Tags));
        Assert.All(listener.Activities, a => Assert.Equal(OptimizerTelemetry.RunActivityName, a.Name));
        Assert.Empty(listener.OutOfRange); // no calibrated range: nothing to count
    }

    [ConditionalTheory("data")]
    [InlineData(ExecutionPathKind.OnnxRuntime)]
    [InlineData(ExecutionPathKind.Compiled)]
    public void Elements_outside_the_calibrated_range_are_counted_and_inputs_inside_are_not(ExecutionPathKind path)
    {
        string name = "Tests.Telemetry." + Guid.NewGuid().ToString("N");
        using var listener = new Recorder(name);
        using var model = CompiledDigitsMlp.Create(SharedData.PathOf("models/digits_mlp.onnx"), new ModelOptions { Path = path }, name: name, inputRange: PixelRange);
        float[] images = Images(8);
        float[] scaled = images.Select(p => p * 10).ToArray();
        scaled[3] = float.NaN;
        long expectedOutside = scaled.Count(p => !(p >= 0 && p <= 1));

        model.Run(new CompiledDigitsMlp.Input(new ModelTensor<float>(images, 8, 1, 8, 8)));
        Assert.Empty(listener.OutOfRange);

        model.Run(new CompiledDigitsMlp.Input(new ModelTensor<float>(scaled, 8, 1, 8, 8)));
        var input = new CompiledDigitsMlp.Input(new ModelTensor<float>(scaled, 8, 1, 8, 8));
        model.Run(input, new CompiledDigitsMlp.Output(ModelTensor<float>.Zeros(8, 10)));

        Assert.InRange(expectedOutside, 200, 8 * 64);
        Assert.Equal([(expectedOutside, $"optimizer.input=input, optimizer.model={name}"), (expectedOutside, $"optimizer.input=input, optimizer.model={name}")], listener.OutOfRange);
    }

    [ConditionalFact("data")]
    public void A_failed_run_is_counted_with_its_exception_type_and_marks_its_activity()
    {
        string name = "Tests.Telemetry." + Guid.NewGuid().ToString("N");
        using var listener = new Recorder(name);
        using var model = CompiledDigitsMlp.Create(SharedData.PathOf("models/digits_mlp.onnx"), new ModelOptions { Path = ExecutionPathKind.Compiled }, name: name);

        Assert.Throws<TensorShapeException>(() => model.Run(new CompiledDigitsMlp.Input(new ModelTensor<float>(Images(2), 2, 1, 8, 8)), new CompiledDigitsMlp.Output(ModelTensor<float>.Zeros(2, 9))));

        string tags = $"error.type=Optimizer.Runtime.TensorShapeException, optimizer.batch_size=2, optimizer.execution_path=compiled, optimizer.model={name}, optimizer.variant=default";
        Assert.Equal([tags], listener.Counts);
        Assert.Equal([tags], listener.Durations.Select(d => d.Tags));
        Assert.Equal(ActivityStatusCode.Error, Assert.Single(listener.Activities).Status);
    }

    [Fact]
    public void The_vectorised_count_agrees_with_a_plain_loop_at_every_length_and_position()
    {
        var random = new Random(17);
        for (int length = 0; length < 70; length++)
        {
            float[] values = Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 3 - 1)).ToArray();
            if (length > 5)
            {
                values[length / 2] = float.NaN;
            }

            long expected = values.Count(v => !(v >= 0 && v <= 1));
            Assert.Equal(expected, Telemetry.OutOfRangeCount.Of(values, 0f, 1f));
        }
    }

    private static float[] Images(int count) => SharedData.ReadFloats("digits/digits_test_x_450x64.f32").AsSpan(0, 64 * count).ToArray();

    /// <summary>Records the measurements and activities of one model name, tags as sorted "key=value" text.</summary>
    private sealed class Recorder : IDisposable
    {
        private readonly string _model;
        private readonly MeterListener _meters = new();
        private readonly ActivityListener _activities;
        private readonly ConcurrentQueue<(double Seconds, string Tags)> _durations = new();
        private readonly ConcurrentQueue<string> _counts = new();
        private readonly ConcurrentQueue<(long Elements, string Tags)> _outOfRange = new();
        private readonly ConcurrentQueue<(string Name, string Tags, ActivityStatusCode Status)> _stopped = new();

        public Recorder(string model)
        {
            _model = model;
            _meters.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == OptimizerTelemetry.MeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _meters.SetMeasurementEventCallback<double>((_, value, tags, _) =>
            {
                if (IsMine(tags))
                {
                    _durations.Enqueue((value, Format(tags, withErrorType: true)));
                }
            });
            _meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            {
                if (!IsMine(tags))
                {
                    return;
                }

                if (instrument.Name == OptimizerTelemetry.CountInstrument)
                {
                    Assert.Equal(1, value);
                    _counts.Enqueue(Format(tags, withErrorType: true));
                }
                else
                {
                    _outOfRange.Enqueue((value, Format(tags, withErrorType: false)));
                }
            });
            _meters.Start();
            _activities = new ActivityListener
            {
                ShouldListenTo = source => source.Name == OptimizerTelemetry.ActivitySourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = activity =>
                {
                    if (Equals(activity.GetTagItem(OptimizerTelemetry.ModelTag), _model))
                    {
                        var tags = activity.TagObjects.ToArray();
                        _stopped.Enqueue((activity.OperationName, Format(tags, withErrorType: true), activity.Status));
                    }
                },
            };
            ActivitySource.AddActivityListener(_activities);
        }

        public IReadOnlyList<(double Seconds, string Tags)> Durations => _durations.ToArray();

        public IReadOnlyList<string> Counts => _counts.ToArray();

        public IReadOnlyList<(long Elements, string Tags)> OutOfRange => _outOfRange.ToArray();

        public IReadOnlyList<(string Name, string Tags, ActivityStatusCode Status)> Activities => _stopped.ToArray();

        public void Dispose()
        {
            _meters.Dispose();
            _activities.Dispose();
        }

        private bool IsMine(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (var tag in tags)
            {
                if (tag.Key == OptimizerTelemetry.ModelTag)
                {
                    return Equals(tag.Value, _model);
                }
            }

            return false;
        }

        /// <summary>Sorted "key=value" pairs; with <paramref name="withErrorType"/>, an empty <c>error.type=</c> when the run did not fail.</summary>
        private static string Format(ReadOnlySpan<KeyValuePair<string, object?>> tags, bool withErrorType)
        {
            var pairs = new SortedDictionary<string, string>(StringComparer.Ordinal);
            if (withErrorType)
            {
                pairs[OptimizerTelemetry.ErrorTypeTag] = "";
            }

            foreach (var tag in tags)
            {
                pairs[tag.Key] = Convert.ToString(tag.Value, System.Globalization.CultureInfo.InvariantCulture) ?? "";
            }

            return string.Join(", ", pairs.Select(p => $"{p.Key}={p.Value}"));
        }
    }
}
