using Scalpaiboard.Market.Signals;

namespace Scalpaiboard.Market.Backtests;

/// <summary>
/// The trades of one rule on one symbol (BACKTEST.md, "Trades"): fed the symbol's candles of the period in open-time
/// order with whether the rule fired on each, it holds at most one position, enters at the signal candle's close,
/// checks each later candle for the stop first, then the target, then the time exit, and closes what is still open
/// at the last candle (<see cref="Finish"/>). On a candle that closes a position the exit is decided before the
/// candle's signal, so that signal opens the next position; a signal while a position is open is skipped.
/// Allocation-free per candle (a closed trade is one record). Not thread-safe.
/// </summary>
public sealed class TradeSimulator
{
    private readonly List<BacktestTrade> _trades = [];
    private readonly string _symbol;
    private readonly PresetType _rule;
    private readonly TradeSide _side;
    private readonly double _takeProfit;
    private readonly double _stopLoss;
    private readonly double _stopLossPct;
    private readonly double _fees;
    private readonly long _holdMs;

    private bool _open;
    private long _entryTime;
    private double _entry;
    private double _stop;
    private double _target;
    private bool _hasCandle;
    private long _lastOpenTime;
    private double _lastClose;

    public TradeSimulator(string symbol, BacktestParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        ArgumentNullException.ThrowIfNull(parameters);
        _symbol = symbol;
        _rule = parameters.Rule;
        _side = parameters.Side;
        // The reference's arithmetic, operation for operation, so levels and returns agree to the last bit.
        _takeProfit = parameters.TakeProfitPct / 100.0;
        _stopLoss = parameters.StopLossPct / 100.0;
        _stopLossPct = parameters.StopLossPct;
        _fees = 2 * parameters.FeePct / 100;
        _holdMs = parameters.MaxHoldMinutes * Candle.MinuteMs;
    }

    /// <summary>The closed trades in the order they closed.</summary>
    public IReadOnlyList<BacktestTrade> Trades => _trades;

    /// <summary>Signals of the period, traded or skipped.</summary>
    public int Signals { get; private set; }

    /// <summary>Signals that came while the position was open.</summary>
    public int SkippedSignals { get; private set; }

    /// <summary>Open time of the first candle fed, or null before any.</summary>
    public long? FirstOpenTime { get; private set; }

    /// <summary>Open time of the last candle fed, or null before any.</summary>
    public long? LastOpenTime => _hasCandle ? _lastOpenTime : null;

    public bool HasOpenPosition => _open;

    /// <summary>The next candle of the period and whether the rule fired at its close.</summary>
    public void OnCandle(in Candle candle, bool signal)
    {
        if (!_hasCandle)
        {
            FirstOpenTime = candle.OpenTime;
            _hasCandle = true;
        }
        if (_open && candle.OpenTime >= _entryTime)
        {
            CheckExit(candle);
        }
        if (signal)
        {
            Signals++;
            if (_open)
            {
                SkippedSignals++;
            }
            else
            {
                _open = true;
                _entryTime = candle.OpenTime + Candle.MinuteMs;
                _entry = candle.Close;
                if (_side == TradeSide.Long)
                {
                    _stop = _entry * (1 - _stopLoss);
                    _target = _entry * (1 + _takeProfit);
                }
                else
                {
                    _stop = _entry * (1 + _stopLoss);
                    _target = _entry * (1 - _takeProfit);
                }
            }
        }
        _lastOpenTime = candle.OpenTime;
        _lastClose = candle.Close;
    }

    /// <summary>
    /// After the symbol's last candle of the period: a position still open exits at that candle's close (<c>end</c>),
    /// a zero-length trade when it was entered on that very candle.
    /// </summary>
    public void Finish()
    {
        if (_open)
        {
            Close(_lastOpenTime + Candle.MinuteMs, _lastClose, ExitReason.End);
        }
    }

    private void CheckExit(in Candle candle)
    {
        bool hitStop, hitTarget;
        if (_side == TradeSide.Long)
        {
            hitStop = candle.Low <= _stop;
            hitTarget = candle.High >= _target;
        }
        else
        {
            hitStop = candle.High >= _stop;
            hitTarget = candle.Low <= _target;
        }

        var exitTime = candle.OpenTime + Candle.MinuteMs;
        // A candle that touches both: the stop, the pessimistic reading of a bar.
        if (hitStop)
        {
            Close(exitTime, _stop, ExitReason.Stop);
        }
        else if (hitTarget)
        {
            Close(exitTime, _target, ExitReason.Target);
        }
        else if (exitTime - _entryTime >= _holdMs)
        {
            Close(exitTime, candle.Close, ExitReason.Time);
        }
    }

    private void Close(long exitTime, double exitPrice, ExitReason reason)
    {
        var r = (int)_side * (exitPrice / _entry - 1) - _fees;
        _trades.Add(new BacktestTrade(_symbol, _rule, _side, _entryTime, _entry, exitTime, exitPrice, reason, r,
            r / (_stopLossPct / 100)));
        _open = false;
    }
}
