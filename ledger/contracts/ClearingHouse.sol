// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {CollateralVault} from "./CollateralVault.sol";
import {IndexOracle} from "./IndexOracle.sol";

/// @title ClearingHouse
/// @notice Settles the market's trades in netted epochs. Each epoch is one batch: the Merkle
/// root of its trades and, per account, its net lines (position and cash change per
/// instrument) with the account's EIP-712 signature over them. The cost grows with the
/// number of accounts, not trades. Futures and options then settle at expiry against an
/// index price that the oracle signers post.
contract ClearingHouse is IndexOracle, ReentrancyGuard {
    bytes32 public constant LISTER_ROLE = keccak256("LISTER_ROLE");
    bytes32 public constant LINE_TYPEHASH = keccak256("Line(bytes32 instrument,int256 position,int256 cash)");
    bytes32 public constant NET_LINES_TYPEHASH = keccak256(
        "NetLines(uint64 epoch,bytes32 tradesRoot,address account,Line[] lines)Line(bytes32 instrument,int256 position,int256 cash)"
    );

    enum Kind {
        Unlisted,
        Future,
        Call,
        Put
    }

    /// @notice What an expiring instrument pays per unit of position at its index price S:
    /// a future S, a call max(S-K,0), a put max(K-S,0).
    struct Terms {
        Kind kind;
        uint64 expiry;
        uint256 strike;
    }

    struct Line {
        bytes32 instrument;
        int256 position;
        int256 cash;
    }

    /// @notice One account's part of a batch. Lines are in strictly increasing instrument
    /// order; an account whose trades net to nothing has none.
    struct AccountLines {
        address account;
        Line[] lines;
        bytes signature;
    }

    CollateralVault public immutable vault;
    uint64 public lastEpoch;
    mapping(uint64 epoch => bytes32) public epochRoot;
    mapping(address account => mapping(bytes32 instrument => int256)) public position;
    mapping(bytes32 instrument => Terms) public terms;

    event EpochSettled(uint64 indexed epoch, bytes32 tradesRoot, uint256 accounts, uint256 lines);
    event InstrumentListed(bytes32 indexed instrument, Kind kind, uint64 expiry, uint256 strike);
    event ExpirySettled(bytes32 indexed instrument, uint256 price, uint256 accounts);

    error EpochAlreadySettled(uint64 epoch, uint64 lastEpoch);
    error EpochSkipped(uint64 epoch, uint64 expected);
    error EmptyBatch();
    error AccountsNotSorted(address account);
    error LinesNotSorted(address account, bytes32 instrument);
    error BadSignature(address account);
    error PositionsNotZeroSum(bytes32 instrument, int256 sum);
    error InstrumentExpired(bytes32 instrument);
    error InstrumentAlreadyListed(bytes32 instrument);
    error InvalidTerms(bytes32 instrument);
    error NotListed(bytes32 instrument);
    error NotExpired(bytes32 instrument, uint64 expiry);
    error IndexNotPosted(bytes32 instrument);

    constructor(CollateralVault collateralVault, address admin, uint256 threshold) EIP712("hcx ClearingHouse", "1") {
        if (threshold == 0) revert ZeroThreshold();
        vault = collateralVault;
        oracleThreshold = threshold;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(LISTER_ROLE, admin);
    }

    /// @notice Settles epoch `epoch`, which must be the one after `lastEpoch`.
    function settleEpoch(uint64 epoch, bytes32 tradesRoot, AccountLines[] calldata batch) external nonReentrant {
        if (epoch <= lastEpoch) revert EpochAlreadySettled(epoch, lastEpoch);
        if (epoch != lastEpoch + 1) revert EpochSkipped(epoch, lastEpoch + 1);
        if (batch.length == 0) revert EmptyBatch();

        address[] memory accounts = new address[](batch.length);
        int256[] memory cash = new int256[](batch.length);
        // Per-instrument position sums; a batch touches few instruments, so a linear scan wins.
        bytes32[] memory instruments = new bytes32[](_lineCount(batch));
        int256[] memory sums = new int256[](instruments.length);
        uint256 distinct = 0;
        uint256 lineTotal = 0;

        for (uint256 i = 0; i < batch.length; ++i) {
            AccountLines calldata entry = batch[i];
            address account = entry.account;
            if (i > 0 && account <= accounts[i - 1]) revert AccountsNotSorted(account);
            // An account whose trades net to nothing still signs, acknowledging them settled.
            Line[] calldata lines = entry.lines;
            _checkSignature(epoch, tradesRoot, entry);

            int256 accountCash = 0;
            for (uint256 j = 0; j < lines.length; ++j) {
                Line calldata line = lines[j];
                bytes32 instrument = line.instrument;
                if (j > 0 && instrument <= lines[j - 1].instrument) revert LinesNotSorted(account, instrument);
                uint256 slot = _slotOf(instruments, distinct, instrument);
                if (slot == distinct) {
                    // Once a listed instrument expires its outcome is nearly known: no new positions.
                    uint64 expiry = terms[instrument].expiry;
                    if (expiry != 0 && block.timestamp >= expiry) revert InstrumentExpired(instrument);
                    instruments[distinct++] = instrument;
                }
                sums[slot] += line.position;
                position[account][instrument] += line.position;
                accountCash += line.cash;
            }
            accounts[i] = account;
            cash[i] = accountCash;
            lineTotal += lines.length;
        }
        for (uint256 k = 0; k < distinct; ++k) {
            if (sums[k] != 0) revert PositionsNotZeroSum(instruments[k], sums[k]);
        }

        lastEpoch = epoch;
        epochRoot[epoch] = tradesRoot;
        vault.applyCash(accounts, cash);
        emit EpochSettled(epoch, tradesRoot, batch.length, lineTotal);
    }

    /// @notice The EIP-712 digest an account signs over its lines of a batch.
    function netLinesDigest(uint64 epoch, bytes32 tradesRoot, address account, Line[] calldata lines)
        public
        view
        returns (bytes32)
    {
        bytes32[] memory lineHashes = new bytes32[](lines.length);
        for (uint256 j = 0; j < lines.length; ++j) {
            lineHashes[j] = keccak256(abi.encode(LINE_TYPEHASH, lines[j].instrument, lines[j].position, lines[j].cash));
        }
        return _hashTypedDataV4(
            keccak256(
                abi.encode(NET_LINES_TYPEHASH, epoch, tradesRoot, account, keccak256(abi.encodePacked(lineHashes)))
            )
        );
    }

    function listInstrument(bytes32 instrument, Kind kind, uint64 expiry, uint256 strike)
        external
        onlyRole(LISTER_ROLE)
    {
        if (terms[instrument].kind != Kind.Unlisted) revert InstrumentAlreadyListed(instrument);
        if (kind == Kind.Unlisted || expiry <= block.timestamp || (kind == Kind.Future) != (strike == 0)) {
            revert InvalidTerms(instrument);
        }
        terms[instrument] = Terms(kind, expiry, strike);
        emit InstrumentListed(instrument, kind, expiry, strike);
    }

    /// @notice Records a listed instrument's index price once it has expired.
    function postIndex(bytes32 instrument, uint256 price, bytes[] calldata signatures) external {
        Terms memory listed = terms[instrument];
        if (listed.kind == Kind.Unlisted) revert NotListed(instrument);
        if (block.timestamp < listed.expiry) revert NotExpired(instrument, listed.expiry);
        _postIndex(instrument, listed.expiry, price, signatures);
    }

    /// @notice Closes the positions of `accounts` in an expired instrument at its index
    /// price. The positions closed must sum to zero, so every payment has its payer.
    function settleExpired(bytes32 instrument, address[] calldata accounts) external nonReentrant {
        uint256 price = indexPrice[instrument];
        if (price == 0) revert IndexNotPosted(instrument);
        int256 payoff = _payoff(terms[instrument], price);
        int256[] memory cash = new int256[](accounts.length);
        int256 sum = 0;
        for (uint256 i = 0; i < accounts.length; ++i) {
            int256 held = position[accounts[i]][instrument];
            position[accounts[i]][instrument] = 0;
            sum += held;
            cash[i] = held * payoff;
        }
        if (sum != 0) revert PositionsNotZeroSum(instrument, sum);
        vault.applyCash(accounts, cash);
        emit ExpirySettled(instrument, price, accounts.length);
    }

    function _checkSignature(uint64 epoch, bytes32 tradesRoot, AccountLines calldata entry) private view {
        bytes32 digest = netLinesDigest(epoch, tradesRoot, entry.account, entry.lines);
        (address signer, ECDSA.RecoverError failure,) = ECDSA.tryRecover(digest, entry.signature);
        if (failure != ECDSA.RecoverError.NoError || signer != entry.account) revert BadSignature(entry.account);
    }

    function _payoff(Terms memory listed, uint256 price) private pure returns (int256) {
        if (listed.kind == Kind.Future) return int256(price);
        if (listed.kind == Kind.Call) return price > listed.strike ? int256(price - listed.strike) : int256(0);
        return listed.strike > price ? int256(listed.strike - price) : int256(0);
    }

    function _slotOf(bytes32[] memory instruments, uint256 count, bytes32 instrument) private pure returns (uint256) {
        for (uint256 k = 0; k < count; ++k) {
            if (instruments[k] == instrument) return k;
        }
        return count;
    }

    function _lineCount(AccountLines[] calldata batch) private pure returns (uint256 count) {
        for (uint256 i = 0; i < batch.length; ++i) {
            count += batch[i].lines.length;
        }
    }
}
