namespace Optimizer.Runtime;

/// <summary>The optimizer <see cref="FineTuneAttribute"/> trains with.</summary>
#if OPTIMIZER_SCHEMA_COPY
internal
#else
public
#endif
enum TrainingOptimizer
{
    /// <summary>Adam.</summary>
    Adam,

    /// <summary>Stochastic gradient descent with momentum.</summary>
    Sgd,
}
