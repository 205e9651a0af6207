import * as $protobuf from "protobufjs";
import Long = require("long");
export namespace exchange {

    namespace v1 {

        enum CancelOnDisconnect {
            CANCEL_ON_DISCONNECT_UNKNOWN = 0,
            CANCEL_ON_DISCONNECT_OFF = 1,
            CANCEL_ON_DISCONNECT_SESSION = 2,
            CANCEL_ON_DISCONNECT_ACCOUNT = 3
        }

        interface ILogon {
            apiKeyPrefix?: (string|null);
            apiSecret?: (string|null);
            timestampUs?: (number|null);
            nonce?: (Uint8Array|null);
            signature?: (Uint8Array|null);
            cancelOnDisconnect?: (exchange.v1.CancelOnDisconnect|null);
            heartbeatIntervalMs?: (number|null);
            recvWindowMs?: (number|null);
        }

        class Logon implements ILogon {
            constructor(properties?: exchange.v1.ILogon);
            public apiKeyPrefix: string;
            public apiSecret: string;
            public timestampUs: number;
            public nonce: Uint8Array;
            public signature: Uint8Array;
            public cancelOnDisconnect: exchange.v1.CancelOnDisconnect;
            public heartbeatIntervalMs: number;
            public recvWindowMs: number;
            public static create(properties?: exchange.v1.ILogon): exchange.v1.Logon;
            public static encode(message: exchange.v1.ILogon, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.Logon;
            public static fromObject(object: { [k: string]: any }): exchange.v1.Logon;
            public static toObject(message: exchange.v1.Logon, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface INewOrder {
            marketId?: (number|null);
            side?: (exchange.v1.Side|null);
            orderType?: (exchange.v1.OrderType|null);
            timeInForce?: (exchange.v1.TimeInForce|null);
            priceTicks?: (number|null);
            qtyLots?: (number|null);
            quoteBudgetAtoms?: (number|null);
            postOnly?: (boolean|null);
            stpMode?: (exchange.v1.StpMode|null);
            clientOrderId?: (string|null);
        }

        class NewOrder implements INewOrder {
            constructor(properties?: exchange.v1.INewOrder);
            public marketId: number;
            public side: exchange.v1.Side;
            public orderType: exchange.v1.OrderType;
            public timeInForce: exchange.v1.TimeInForce;
            public priceTicks: number;
            public qtyLots: number;
            public quoteBudgetAtoms: number;
            public postOnly: boolean;
            public stpMode: exchange.v1.StpMode;
            public clientOrderId: string;
            public static create(properties?: exchange.v1.INewOrder): exchange.v1.NewOrder;
            public static encode(message: exchange.v1.INewOrder, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.NewOrder;
            public static fromObject(object: { [k: string]: any }): exchange.v1.NewOrder;
            public static toObject(message: exchange.v1.NewOrder, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface INewOrderBatch {
            orders?: (exchange.v1.INewOrder[]|null);
        }

        class NewOrderBatch implements INewOrderBatch {
            constructor(properties?: exchange.v1.INewOrderBatch);
            public orders: exchange.v1.INewOrder[];
            public static create(properties?: exchange.v1.INewOrderBatch): exchange.v1.NewOrderBatch;
            public static encode(message: exchange.v1.INewOrderBatch, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.NewOrderBatch;
            public static fromObject(object: { [k: string]: any }): exchange.v1.NewOrderBatch;
            public static toObject(message: exchange.v1.NewOrderBatch, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface ICancelOrderRequest {
            marketId?: (number|null);
            orderId?: (number|null);
            clientOrderId?: (string|null);
        }

        class CancelOrderRequest implements ICancelOrderRequest {
            constructor(properties?: exchange.v1.ICancelOrderRequest);
            public marketId: number;
            public orderId: number;
            public clientOrderId: string;
            public static create(properties?: exchange.v1.ICancelOrderRequest): exchange.v1.CancelOrderRequest;
            public static encode(message: exchange.v1.ICancelOrderRequest, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.CancelOrderRequest;
            public static fromObject(object: { [k: string]: any }): exchange.v1.CancelOrderRequest;
            public static toObject(message: exchange.v1.CancelOrderRequest, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface ICancelOrderBatch {
            cancels?: (exchange.v1.ICancelOrderRequest[]|null);
        }

        class CancelOrderBatch implements ICancelOrderBatch {
            constructor(properties?: exchange.v1.ICancelOrderBatch);
            public cancels: exchange.v1.ICancelOrderRequest[];
            public static create(properties?: exchange.v1.ICancelOrderBatch): exchange.v1.CancelOrderBatch;
            public static encode(message: exchange.v1.ICancelOrderBatch, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.CancelOrderBatch;
            public static fromObject(object: { [k: string]: any }): exchange.v1.CancelOrderBatch;
            public static toObject(message: exchange.v1.CancelOrderBatch, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface ICancelAllRequest {
            marketId?: (number|null);
        }

        class CancelAllRequest implements ICancelAllRequest {
            constructor(properties?: exchange.v1.ICancelAllRequest);
            public marketId: number;
            public static create(properties?: exchange.v1.ICancelAllRequest): exchange.v1.CancelAllRequest;
            public static encode(message: exchange.v1.ICancelAllRequest, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.CancelAllRequest;
            public static fromObject(object: { [k: string]: any }): exchange.v1.CancelAllRequest;
            public static toObject(message: exchange.v1.CancelAllRequest, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface IAmendOrderRequest {
            marketId?: (number|null);
            orderId?: (number|null);
            clientOrderId?: (string|null);
            newPriceTicks?: (number|null);
            newQtyLots?: (number|null);
        }

        class AmendOrderRequest implements IAmendOrderRequest {
            constructor(properties?: exchange.v1.IAmendOrderRequest);
            public marketId: number;
            public orderId: number;
            public clientOrderId: string;
            public newPriceTicks: number;
            public newQtyLots: number;
            public static create(properties?: exchange.v1.IAmendOrderRequest): exchange.v1.AmendOrderRequest;
            public static encode(message: exchange.v1.IAmendOrderRequest, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.AmendOrderRequest;
            public static fromObject(object: { [k: string]: any }): exchange.v1.AmendOrderRequest;
            public static toObject(message: exchange.v1.AmendOrderRequest, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface IOrderStatusRequest {
            marketId?: (number|null);
            orderId?: (number|null);
            clientOrderId?: (string|null);
        }

        class OrderStatusRequest implements IOrderStatusRequest {
            constructor(properties?: exchange.v1.IOrderStatusRequest);
            public marketId: number;
            public orderId: number;
            public clientOrderId: string;
            public static create(properties?: exchange.v1.IOrderStatusRequest): exchange.v1.OrderStatusRequest;
            public static encode(message: exchange.v1.IOrderStatusRequest, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.OrderStatusRequest;
            public static fromObject(object: { [k: string]: any }): exchange.v1.OrderStatusRequest;
            public static toObject(message: exchange.v1.OrderStatusRequest, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface IReplayReportsRequest {
            afterReportSeq?: (number|null);
        }

        class ReplayReportsRequest implements IReplayReportsRequest {
            constructor(properties?: exchange.v1.IReplayReportsRequest);
            public afterReportSeq: number;
            public static create(properties?: exchange.v1.IReplayReportsRequest): exchange.v1.ReplayReportsRequest;
            public static encode(message: exchange.v1.IReplayReportsRequest, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.ReplayReportsRequest;
            public static fromObject(object: { [k: string]: any }): exchange.v1.ReplayReportsRequest;
            public static toObject(message: exchange.v1.ReplayReportsRequest, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        enum Channel {
            CHANNEL_UNKNOWN = 0,
            CHANNEL_BOOK = 1,
            CHANNEL_TRADES = 2,
            CHANNEL_BBO = 3,
            CHANNEL_REPORTS = 4
        }

        interface ISubscription {
            marketId?: (number|null);
            channel?: (exchange.v1.Channel|null);
            depth?: (number|null);
        }

        class Subscription implements ISubscription {
            constructor(properties?: exchange.v1.ISubscription);
            public marketId: number;
            public channel: exchange.v1.Channel;
            public depth: number;
            public static create(properties?: exchange.v1.ISubscription): exchange.v1.Subscription;
            public static encode(message: exchange.v1.ISubscription, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.Subscription;
            public static fromObject(object: { [k: string]: any }): exchange.v1.Subscription;
            public static toObject(message: exchange.v1.Subscription, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface ISubscribeRequest {
            subscriptions?: (exchange.v1.ISubscription[]|null);
        }

        class SubscribeRequest implements ISubscribeRequest {
            constructor(properties?: exchange.v1.ISubscribeRequest);
            public subscriptions: exchange.v1.ISubscription[];
            public static create(properties?: exchange.v1.ISubscribeRequest): exchange.v1.SubscribeRequest;
            public static encode(message: exchange.v1.ISubscribeRequest, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.SubscribeRequest;
            public static fromObject(object: { [k: string]: any }): exchange.v1.SubscribeRequest;
            public static toObject(message: exchange.v1.SubscribeRequest, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface IUnsubscribeRequest {
            subscriptions?: (exchange.v1.ISubscription[]|null);
        }

        class UnsubscribeRequest implements IUnsubscribeRequest {
            constructor(properties?: exchange.v1.IUnsubscribeRequest);
            public subscriptions: exchange.v1.ISubscription[];
            public static create(properties?: exchange.v1.IUnsubscribeRequest): exchange.v1.UnsubscribeRequest;
            public static encode(message: exchange.v1.IUnsubscribeRequest, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.UnsubscribeRequest;
            public static fromObject(object: { [k: string]: any }): exchange.v1.UnsubscribeRequest;
            public static toObject(message: exchange.v1.UnsubscribeRequest, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface IBookSnapshotRequest {
            marketId?: (number|null);
            depth?: (number|null);
        }

        class BookSnapshotRequest implements IBookSnapshotRequest {
            constructor(properties?: exchange.v1.IBookSnapshotRequest);
            public marketId: number;
            public depth: number;
            public static create(properties?: exchange.v1.IBookSnapshotRequest): exchange.v1.BookSnapshotRequest;
            public static encode(message: exchange.v1.IBookSnapshotRequest, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.BookSnapshotRequest;
            public static fromObject(object: { [k: string]: any }): exchange.v1.BookSnapshotRequest;
            public static toObject(message: exchange.v1.BookSnapshotRequest, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface IDeadManSwitchRequest {
            timeoutMs?: (number|null);
            marketId?: (number|null);
        }

        class DeadManSwitchRequest implements IDeadManSwitchRequest {
            constructor(properties?: exchange.v1.IDeadManSwitchRequest);
            public timeoutMs: number;
            public marketId: number;
            public static create(properties?: exchange.v1.IDeadManSwitchRequest): exchange.v1.DeadManSwitchRequest;
            public static encode(message: exchange.v1.IDeadManSwitchRequest, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.DeadManSwitchRequest;
            public static fromObject(object: { [k: string]: any }): exchange.v1.DeadManSwitchRequest;
            public static toObject(message: exchange.v1.DeadManSwitchRequest, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface IPing {
            clientTimeUs?: (number|null);
        }

        class Ping implements IPing {
            constructor(properties?: exchange.v1.IPing);
            public clientTimeUs: number;
            public static create(properties?: exchange.v1.IPing): exchange.v1.Ping;
            public static encode(message: exchange.v1.IPing, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.Ping;
            public static fromObject(object: { [k: string]: any }): exchange.v1.Ping;
            public static toObject(message: exchange.v1.Ping, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface IClientMessage {
            requestId?: (number|null);
            logon?: (exchange.v1.ILogon|null);
            newOrder?: (exchange.v1.INewOrder|null);
            newOrderBatch?: (exchange.v1.INewOrderBatch|null);
            cancelOrder?: (exchange.v1.ICancelOrderRequest|null);
            cancelOrderBatch?: (exchange.v1.ICancelOrderBatch|null);
            cancelAll?: (exchange.v1.ICancelAllRequest|null);
            amendOrder?: (exchange.v1.IAmendOrderRequest|null);
            orderStatus?: (exchange.v1.IOrderStatusRequest|null);
            replayReports?: (exchange.v1.IReplayReportsRequest|null);
            subscribe?: (exchange.v1.ISubscribeRequest|null);
            unsubscribe?: (exchange.v1.IUnsubscribeRequest|null);
            bookSnapshot?: (exchange.v1.IBookSnapshotRequest|null);
            deadManSwitch?: (exchange.v1.IDeadManSwitchRequest|null);
            ping?: (exchange.v1.IPing|null);
        }

        class ClientMessage implements IClientMessage {
            constructor(properties?: exchange.v1.IClientMessage);
            public requestId: number;
            public logon?: (exchange.v1.ILogon|null);
            public newOrder?: (exchange.v1.INewOrder|null);
            public newOrderBatch?: (exchange.v1.INewOrderBatch|null);
            public cancelOrder?: (exchange.v1.ICancelOrderRequest|null);
            public cancelOrderBatch?: (exchange.v1.ICancelOrderBatch|null);
            public cancelAll?: (exchange.v1.ICancelAllRequest|null);
            public amendOrder?: (exchange.v1.IAmendOrderRequest|null);
            public orderStatus?: (exchange.v1.IOrderStatusRequest|null);
            public replayReports?: (exchange.v1.IReplayReportsRequest|null);
            public subscribe?: (exchange.v1.ISubscribeRequest|null);
            public unsubscribe?: (exchange.v1.IUnsubscribeRequest|null);
            public bookSnapshot?: (exchange.v1.IBookSnapshotRequest|null);
            public deadManSwitch?: (exchange.v1.IDeadManSwitchRequest|null);
            public ping?: (exchange.v1.IPing|null);
            public body?: ("logon"|"newOrder"|"newOrderBatch"|"cancelOrder"|"cancelOrderBatch"|"cancelAll"|"amendOrder"|"orderStatus"|"replayReports"|"subscribe"|"unsubscribe"|"bookSnapshot"|"deadManSwitch"|"ping");
            public static create(properties?: exchange.v1.IClientMessage): exchange.v1.ClientMessage;
            public static encode(message: exchange.v1.IClientMessage, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.ClientMessage;
            public static fromObject(object: { [k: string]: any }): exchange.v1.ClientMessage;
            public static toObject(message: exchange.v1.ClientMessage, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface IRateLimitUsage {
            ordersUsed?: (number|null);
            ordersLimit?: (number|null);
            windowMs?: (number|null);
            retryAfterMs?: (number|null);
        }

        class RateLimitUsage implements IRateLimitUsage {
            constructor(properties?: exchange.v1.IRateLimitUsage);
            public ordersUsed: number;
            public ordersLimit: number;
            public windowMs: number;
            public retryAfterMs: number;
            public static create(properties?: exchange.v1.IRateLimitUsage): exchange.v1.RateLimitUsage;
            public static encode(message: exchange.v1.IRateLimitUsage, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.RateLimitUsage;
            public static fromObject(object: { [k: string]: any }): exchange.v1.RateLimitUsage;
            public static toObject(message: exchange.v1.RateLimitUsage, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface ILogonAck {
            sessionId?: (string|null);
            accountId?: (number|null);
            scopes?: (string[]|null);
            lastReportSeq?: (number|null);
            heartbeatIntervalMs?: (number|null);
            cancelOnDisconnect?: (exchange.v1.CancelOnDisconnect|null);
            maxFrameBytes?: (number|null);
        }

        class LogonAck implements ILogonAck {
            constructor(properties?: exchange.v1.ILogonAck);
            public sessionId: string;
            public accountId: number;
            public scopes: string[];
            public lastReportSeq: number;
            public heartbeatIntervalMs: number;
            public cancelOnDisconnect: exchange.v1.CancelOnDisconnect;
            public maxFrameBytes: number;
            public static create(properties?: exchange.v1.ILogonAck): exchange.v1.LogonAck;
            public static encode(message: exchange.v1.ILogonAck, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.LogonAck;
            public static fromObject(object: { [k: string]: any }): exchange.v1.LogonAck;
            public static toObject(message: exchange.v1.LogonAck, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface IReject {
            reason?: (exchange.v1.RejectReason|null);
            message?: (string|null);
        }

        class Reject implements IReject {
            constructor(properties?: exchange.v1.IReject);
            public reason: exchange.v1.RejectReason;
            public message: string;
            public static create(properties?: exchange.v1.IReject): exchange.v1.Reject;
            public static encode(message: exchange.v1.IReject, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.Reject;
            public static fromObject(object: { [k: string]: any }): exchange.v1.Reject;
            public static toObject(message: exchange.v1.Reject, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface IOrderAck {
            orderId?: (number|null);
            clientOrderId?: (string|null);
            rejectReason?: (exchange.v1.RejectReason|null);
            status?: (exchange.v1.OrderStatus|null);
        }

        class OrderAck implements IOrderAck {
            constructor(properties?: exchange.v1.IOrderAck);
            public orderId: number;
            public clientOrderId: string;
            public rejectReason: exchange.v1.RejectReason;
            public status: exchange.v1.OrderStatus;
            public static create(properties?: exchange.v1.IOrderAck): exchange.v1.OrderAck;
            public static encode(message: exchange.v1.IOrderAck, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.OrderAck;
            public static fromObject(object: { [k: string]: any }): exchange.v1.OrderAck;
            public static toObject(message: exchange.v1.OrderAck, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface IOrderResponse {
            acks?: (exchange.v1.IOrderAck[]|null);
            engineSeq?: (number|null);
        }

        class OrderResponse implements IOrderResponse {
            constructor(properties?: exchange.v1.IOrderResponse);
            public acks: exchange.v1.IOrderAck[];
            public engineSeq: number;
            public static create(properties?: exchange.v1.IOrderResponse): exchange.v1.OrderResponse;
            public static encode(message: exchange.v1.IOrderResponse, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.OrderResponse;
            public static fromObject(object: { [k: string]: any }): exchange.v1.OrderResponse;
            public static toObject(message: exchange.v1.OrderResponse, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface IExecutionReport {
            reportSeq?: (number|null);
            accountId?: (number|null);
            marketId?: (number|null);
            orderId?: (number|null);
            clientOrderId?: (string|null);
            execType?: (exchange.v1.ExecType|null);
            orderStatus?: (exchange.v1.OrderStatus|null);
            side?: (exchange.v1.Side|null);
            orderType?: (exchange.v1.OrderType|null);
            timeInForce?: (exchange.v1.TimeInForce|null);
            priceTicks?: (number|null);
            qtyLots?: (number|null);
            filledLots?: (number|null);
            remainingLots?: (number|null);
            cumQuoteAtoms?: (number|null);
            lastPriceTicks?: (number|null);
            lastQtyLots?: (number|null);
            tradeId?: (number|null);
            feeAtoms?: (number|null);
            feeAssetId?: (number|null);
            isMaker?: (boolean|null);
            rejectReason?: (exchange.v1.RejectReason|null);
            cancelReason?: (exchange.v1.CancelReason|null);
            engineSeq?: (number|null);
            transactTimeUs?: (number|null);
        }

        class ExecutionReport implements IExecutionReport {
            constructor(properties?: exchange.v1.IExecutionReport);
            public reportSeq: number;
            public accountId: number;
            public marketId: number;
            public orderId: number;
            public clientOrderId: string;
            public execType: exchange.v1.ExecType;
            public orderStatus: exchange.v1.OrderStatus;
            public side: exchange.v1.Side;
            public orderType: exchange.v1.OrderType;
            public timeInForce: exchange.v1.TimeInForce;
            public priceTicks: number;
            public qtyLots: number;
            public filledLots: number;
            public remainingLots: number;
            public cumQuoteAtoms: number;
            public lastPriceTicks: number;
            public lastQtyLots: number;
            public tradeId: number;
            public feeAtoms: number;
            public feeAssetId: number;
            public isMaker: boolean;
            public rejectReason: exchange.v1.RejectReason;
            public cancelReason: exchange.v1.CancelReason;
            public engineSeq: number;
            public transactTimeUs: number;
            public static create(properties?: exchange.v1.IExecutionReport): exchange.v1.ExecutionReport;
            public static encode(message: exchange.v1.IExecutionReport, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.ExecutionReport;
            public static fromObject(object: { [k: string]: any }): exchange.v1.ExecutionReport;
            public static toObject(message: exchange.v1.ExecutionReport, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface IOrderStatusResponse {
            found?: (boolean|null);
            order?: (exchange.v1.IExecutionReport|null);
        }

        class OrderStatusResponse implements IOrderStatusResponse {
            constructor(properties?: exchange.v1.IOrderStatusResponse);
            public found: boolean;
            public order?: (exchange.v1.IExecutionReport|null);
            public static create(properties?: exchange.v1.IOrderStatusResponse): exchange.v1.OrderStatusResponse;
            public static encode(message: exchange.v1.IOrderStatusResponse, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.OrderStatusResponse;
            public static fromObject(object: { [k: string]: any }): exchange.v1.OrderStatusResponse;
            public static toObject(message: exchange.v1.OrderStatusResponse, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface IReplayReportsResponse {
            firstReportSeq?: (number|null);
            lastReportSeq?: (number|null);
            count?: (number|null);
        }

        class ReplayReportsResponse implements IReplayReportsResponse {
            constructor(properties?: exchange.v1.IReplayReportsResponse);
            public firstReportSeq: number;
            public lastReportSeq: number;
            public count: number;
            public static create(properties?: exchange.v1.IReplayReportsResponse): exchange.v1.ReplayReportsResponse;
            public static encode(message: exchange.v1.IReplayReportsResponse, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.ReplayReportsResponse;
            public static fromObject(object: { [k: string]: any }): exchange.v1.ReplayReportsResponse;
            public static toObject(message: exchange.v1.ReplayReportsResponse, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface ISubscribeResponse {
            subscriptions?: (exchange.v1.ISubscription[]|null);
        }

        class SubscribeResponse implements ISubscribeResponse {
            constructor(properties?: exchange.v1.ISubscribeResponse);
            public subscriptions: exchange.v1.ISubscription[];
            public static create(properties?: exchange.v1.ISubscribeResponse): exchange.v1.SubscribeResponse;
            public static encode(message: exchange.v1.ISubscribeResponse, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.SubscribeResponse;
            public static fromObject(object: { [k: string]: any }): exchange.v1.SubscribeResponse;
            public static toObject(message: exchange.v1.SubscribeResponse, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface IBookLevel {
            priceTicks?: (number|null);
            qtyLots?: (number|null);
            orderCount?: (number|null);
        }

        class BookLevel implements IBookLevel {
            constructor(properties?: exchange.v1.IBookLevel);
            public priceTicks: number;
            public qtyLots: number;
            public orderCount: number;
            public static create(properties?: exchange.v1.IBookLevel): exchange.v1.BookLevel;
            public static encode(message: exchange.v1.IBookLevel, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.BookLevel;
            public static fromObject(object: { [k: string]: any }): exchange.v1.BookLevel;
            public static toObject(message: exchange.v1.BookLevel, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface IBookSnapshot {
            marketId?: (number|null);
            seq?: (number|null);
            bids?: (exchange.v1.IBookLevel[]|null);
            asks?: (exchange.v1.IBookLevel[]|null);
        }

        class BookSnapshot implements IBookSnapshot {
            constructor(properties?: exchange.v1.IBookSnapshot);
            public marketId: number;
            public seq: number;
            public bids: exchange.v1.IBookLevel[];
            public asks: exchange.v1.IBookLevel[];
            public static create(properties?: exchange.v1.IBookSnapshot): exchange.v1.BookSnapshot;
            public static encode(message: exchange.v1.IBookSnapshot, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.BookSnapshot;
            public static fromObject(object: { [k: string]: any }): exchange.v1.BookSnapshot;
            public static toObject(message: exchange.v1.BookSnapshot, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface IBookLevelUpdate {
            side?: (exchange.v1.Side|null);
            priceTicks?: (number|null);
            qtyLots?: (number|null);
            orderCount?: (number|null);
        }

        class BookLevelUpdate implements IBookLevelUpdate {
            constructor(properties?: exchange.v1.IBookLevelUpdate);
            public side: exchange.v1.Side;
            public priceTicks: number;
            public qtyLots: number;
            public orderCount: number;
            public static create(properties?: exchange.v1.IBookLevelUpdate): exchange.v1.BookLevelUpdate;
            public static encode(message: exchange.v1.IBookLevelUpdate, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.BookLevelUpdate;
            public static fromObject(object: { [k: string]: any }): exchange.v1.BookLevelUpdate;
            public static toObject(message: exchange.v1.BookLevelUpdate, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface IBookUpdate {
            marketId?: (number|null);
            firstSeq?: (number|null);
            lastSeq?: (number|null);
            updates?: (exchange.v1.IBookLevelUpdate[]|null);
        }

        class BookUpdate implements IBookUpdate {
            constructor(properties?: exchange.v1.IBookUpdate);
            public marketId: number;
            public firstSeq: number;
            public lastSeq: number;
            public updates: exchange.v1.IBookLevelUpdate[];
            public static create(properties?: exchange.v1.IBookUpdate): exchange.v1.BookUpdate;
            public static encode(message: exchange.v1.IBookUpdate, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.BookUpdate;
            public static fromObject(object: { [k: string]: any }): exchange.v1.BookUpdate;
            public static toObject(message: exchange.v1.BookUpdate, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface IPublicTrade {
            marketId?: (number|null);
            tradeId?: (number|null);
            priceTicks?: (number|null);
            qtyLots?: (number|null);
            takerSide?: (exchange.v1.Side|null);
            engineSeq?: (number|null);
            timeUs?: (number|null);
        }

        class PublicTrade implements IPublicTrade {
            constructor(properties?: exchange.v1.IPublicTrade);
            public marketId: number;
            public tradeId: number;
            public priceTicks: number;
            public qtyLots: number;
            public takerSide: exchange.v1.Side;
            public engineSeq: number;
            public timeUs: number;
            public static create(properties?: exchange.v1.IPublicTrade): exchange.v1.PublicTrade;
            public static encode(message: exchange.v1.IPublicTrade, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.PublicTrade;
            public static fromObject(object: { [k: string]: any }): exchange.v1.PublicTrade;
            public static toObject(message: exchange.v1.PublicTrade, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface IBestBidOffer {
            marketId?: (number|null);
            bidPriceTicks?: (number|null);
            bidQtyLots?: (number|null);
            askPriceTicks?: (number|null);
            askQtyLots?: (number|null);
            seq?: (number|null);
        }

        class BestBidOffer implements IBestBidOffer {
            constructor(properties?: exchange.v1.IBestBidOffer);
            public marketId: number;
            public bidPriceTicks: number;
            public bidQtyLots: number;
            public askPriceTicks: number;
            public askQtyLots: number;
            public seq: number;
            public static create(properties?: exchange.v1.IBestBidOffer): exchange.v1.BestBidOffer;
            public static encode(message: exchange.v1.IBestBidOffer, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.BestBidOffer;
            public static fromObject(object: { [k: string]: any }): exchange.v1.BestBidOffer;
            public static toObject(message: exchange.v1.BestBidOffer, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface IResyncRequired {
            marketId?: (number|null);
            reason?: (exchange.v1.RejectReason|null);
        }

        class ResyncRequired implements IResyncRequired {
            constructor(properties?: exchange.v1.IResyncRequired);
            public marketId: number;
            public reason: exchange.v1.RejectReason;
            public static create(properties?: exchange.v1.IResyncRequired): exchange.v1.ResyncRequired;
            public static encode(message: exchange.v1.IResyncRequired, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.ResyncRequired;
            public static fromObject(object: { [k: string]: any }): exchange.v1.ResyncRequired;
            public static toObject(message: exchange.v1.ResyncRequired, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface IHeartbeat {
            serverTimeUs?: (number|null);
            seq?: (number|null);
        }

        class Heartbeat implements IHeartbeat {
            constructor(properties?: exchange.v1.IHeartbeat);
            public serverTimeUs: number;
            public seq: number;
            public static create(properties?: exchange.v1.IHeartbeat): exchange.v1.Heartbeat;
            public static encode(message: exchange.v1.IHeartbeat, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.Heartbeat;
            public static fromObject(object: { [k: string]: any }): exchange.v1.Heartbeat;
            public static toObject(message: exchange.v1.Heartbeat, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface IPong {
            clientTimeUs?: (number|null);
            serverTimeUs?: (number|null);
        }

        class Pong implements IPong {
            constructor(properties?: exchange.v1.IPong);
            public clientTimeUs: number;
            public serverTimeUs: number;
            public static create(properties?: exchange.v1.IPong): exchange.v1.Pong;
            public static encode(message: exchange.v1.IPong, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.Pong;
            public static fromObject(object: { [k: string]: any }): exchange.v1.Pong;
            public static toObject(message: exchange.v1.Pong, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface IDeadManSwitchResponse {
            timeoutMs?: (number|null);
            firesAtUs?: (number|null);
        }

        class DeadManSwitchResponse implements IDeadManSwitchResponse {
            constructor(properties?: exchange.v1.IDeadManSwitchResponse);
            public timeoutMs: number;
            public firesAtUs: number;
            public static create(properties?: exchange.v1.IDeadManSwitchResponse): exchange.v1.DeadManSwitchResponse;
            public static encode(message: exchange.v1.IDeadManSwitchResponse, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.DeadManSwitchResponse;
            public static fromObject(object: { [k: string]: any }): exchange.v1.DeadManSwitchResponse;
            public static toObject(message: exchange.v1.DeadManSwitchResponse, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface ISessionClosing {
            reason?: (exchange.v1.RejectReason|null);
            message?: (string|null);
        }

        class SessionClosing implements ISessionClosing {
            constructor(properties?: exchange.v1.ISessionClosing);
            public reason: exchange.v1.RejectReason;
            public message: string;
            public static create(properties?: exchange.v1.ISessionClosing): exchange.v1.SessionClosing;
            public static encode(message: exchange.v1.ISessionClosing, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.SessionClosing;
            public static fromObject(object: { [k: string]: any }): exchange.v1.SessionClosing;
            public static toObject(message: exchange.v1.SessionClosing, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface IServerMessage {
            requestId?: (number|null);
            recvTimeUs?: (number|null);
            sendTimeUs?: (number|null);
            rateLimit?: (exchange.v1.IRateLimitUsage|null);
            logonAck?: (exchange.v1.ILogonAck|null);
            reject?: (exchange.v1.IReject|null);
            orderResponse?: (exchange.v1.IOrderResponse|null);
            executionReport?: (exchange.v1.IExecutionReport|null);
            orderStatus?: (exchange.v1.IOrderStatusResponse|null);
            replayReports?: (exchange.v1.IReplayReportsResponse|null);
            subscribe?: (exchange.v1.ISubscribeResponse|null);
            bookSnapshot?: (exchange.v1.IBookSnapshot|null);
            bookUpdate?: (exchange.v1.IBookUpdate|null);
            trade?: (exchange.v1.IPublicTrade|null);
            bbo?: (exchange.v1.IBestBidOffer|null);
            resyncRequired?: (exchange.v1.IResyncRequired|null);
            heartbeat?: (exchange.v1.IHeartbeat|null);
            pong?: (exchange.v1.IPong|null);
            deadManSwitch?: (exchange.v1.IDeadManSwitchResponse|null);
            sessionClosing?: (exchange.v1.ISessionClosing|null);
        }

        class ServerMessage implements IServerMessage {
            constructor(properties?: exchange.v1.IServerMessage);
            public requestId: number;
            public recvTimeUs: number;
            public sendTimeUs: number;
            public rateLimit?: (exchange.v1.IRateLimitUsage|null);
            public logonAck?: (exchange.v1.ILogonAck|null);
            public reject?: (exchange.v1.IReject|null);
            public orderResponse?: (exchange.v1.IOrderResponse|null);
            public executionReport?: (exchange.v1.IExecutionReport|null);
            public orderStatus?: (exchange.v1.IOrderStatusResponse|null);
            public replayReports?: (exchange.v1.IReplayReportsResponse|null);
            public subscribe?: (exchange.v1.ISubscribeResponse|null);
            public bookSnapshot?: (exchange.v1.IBookSnapshot|null);
            public bookUpdate?: (exchange.v1.IBookUpdate|null);
            public trade?: (exchange.v1.IPublicTrade|null);
            public bbo?: (exchange.v1.IBestBidOffer|null);
            public resyncRequired?: (exchange.v1.IResyncRequired|null);
            public heartbeat?: (exchange.v1.IHeartbeat|null);
            public pong?: (exchange.v1.IPong|null);
            public deadManSwitch?: (exchange.v1.IDeadManSwitchResponse|null);
            public sessionClosing?: (exchange.v1.ISessionClosing|null);
            public body?: ("logonAck"|"reject"|"orderResponse"|"executionReport"|"orderStatus"|"replayReports"|"subscribe"|"bookSnapshot"|"bookUpdate"|"trade"|"bbo"|"resyncRequired"|"heartbeat"|"pong"|"deadManSwitch"|"sessionClosing");
            public static create(properties?: exchange.v1.IServerMessage): exchange.v1.ServerMessage;
            public static encode(message: exchange.v1.IServerMessage, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.ServerMessage;
            public static fromObject(object: { [k: string]: any }): exchange.v1.ServerMessage;
            public static toObject(message: exchange.v1.ServerMessage, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        enum Side {
            SIDE_UNKNOWN = 0,
            SIDE_BUY = 1,
            SIDE_SELL = 2
        }

        enum OrderType {
            ORDER_TYPE_UNKNOWN = 0,
            ORDER_TYPE_LIMIT = 1,
            ORDER_TYPE_MARKET = 2
        }

        enum TimeInForce {
            TIME_IN_FORCE_UNKNOWN = 0,
            TIME_IN_FORCE_GTC = 1,
            TIME_IN_FORCE_IOC = 2,
            TIME_IN_FORCE_FOK = 3
        }

        enum StpMode {
            STP_MODE_UNKNOWN = 0,
            STP_MODE_NONE = 1,
            STP_MODE_EXPIRE_TAKER = 2,
            STP_MODE_EXPIRE_MAKER = 3,
            STP_MODE_EXPIRE_BOTH = 4,
            STP_MODE_DECREMENT = 5
        }

        enum MarketStatus {
            MARKET_STATUS_UNKNOWN = 0,
            MARKET_STATUS_ACTIVE = 1,
            MARKET_STATUS_CANCEL_ONLY = 2,
            MARKET_STATUS_HALTED = 3
        }

        enum CancelReason {
            CANCEL_REASON_UNKNOWN = 0,
            CANCEL_REASON_USER = 1,
            CANCEL_REASON_CANCEL_ALL = 2,
            CANCEL_REASON_IOC_REMAINDER = 3,
            CANCEL_REASON_FOK_UNFILLABLE = 4,
            CANCEL_REASON_MARKET_REMAINDER = 5,
            CANCEL_REASON_SELF_TRADE = 6,
            CANCEL_REASON_CANCEL_ON_DISCONNECT = 7,
            CANCEL_REASON_DEAD_MAN_SWITCH = 8
        }

        enum RejectReason {
            REJECT_REASON_UNKNOWN = 0,
            REJECT_REASON_INVALID_TICK_SIZE = 1,
            REJECT_REASON_PRICE_OUT_OF_RANGE = 2,
            REJECT_REASON_INVALID_LOT_SIZE = 3,
            REJECT_REASON_QUANTITY_BELOW_MIN = 4,
            REJECT_REASON_QUANTITY_ABOVE_MAX = 5,
            REJECT_REASON_NOTIONAL_BELOW_MIN = 6,
            REJECT_REASON_MARKET_UNKNOWN = 7,
            REJECT_REASON_MARKET_HALTED = 8,
            REJECT_REASON_MARKET_CANCEL_ONLY = 9,
            REJECT_REASON_ACCOUNT_UNKNOWN = 10,
            REJECT_REASON_INSUFFICIENT_FUNDS = 11,
            REJECT_REASON_DUPLICATE_CLIENT_ORDER_ID = 12,
            REJECT_REASON_INVALID_CLIENT_ORDER_ID = 13,
            REJECT_REASON_POST_ONLY_WOULD_TAKE = 14,
            REJECT_REASON_INVALID_TIME_IN_FORCE = 15,
            REJECT_REASON_INVALID_ORDER_TYPE = 16,
            REJECT_REASON_INVALID_SIDE = 17,
            REJECT_REASON_INVALID_STP_MODE = 18,
            REJECT_REASON_NO_LIQUIDITY = 19,
            REJECT_REASON_ORDER_UNKNOWN = 20,
            REJECT_REASON_AMEND_NO_CHANGE = 21,
            REJECT_REASON_ASSET_UNKNOWN = 22,
            REJECT_REASON_INVALID_AMOUNT = 23,
            REJECT_REASON_DUPLICATE_REFERENCE = 24,
            REJECT_REASON_REFERENCE_UNKNOWN = 25,
            REJECT_REASON_BALANCE_OVERFLOW = 26,
            REJECT_REASON_INVALID_FEE = 27,
            REJECT_REASON_ACCOUNT_EXISTS = 28,
            REJECT_REASON_MARKET_EXISTS = 29,
            REJECT_REASON_ASSET_EXISTS = 30,
            REJECT_REASON_INVALID_MARKET_CONFIG = 31,
            REJECT_REASON_BATCH_TOO_LARGE = 32,
            REJECT_REASON_TOO_MANY_OPEN_ORDERS = 33,
            REJECT_REASON_ORDER_CAPACITY = 34,
            REJECT_REASON_INVALID_MARKET_STATUS = 35,
            REJECT_REASON_INVALID_COMMAND = 36,
            REJECT_REASON_CAPACITY_EXCEEDED = 37,
            REJECT_REASON_NOT_LOGGED_ON = 100,
            REJECT_REASON_ALREADY_LOGGED_ON = 101,
            REJECT_REASON_AUTH_UNKNOWN_KEY = 102,
            REJECT_REASON_AUTH_BAD_SECRET = 103,
            REJECT_REASON_AUTH_KEY_REVOKED = 104,
            REJECT_REASON_AUTH_IP_NOT_ALLOWED = 105,
            REJECT_REASON_AUTH_BAD_SIGNATURE = 106,
            REJECT_REASON_AUTH_STALE_TIMESTAMP = 107,
            REJECT_REASON_AUTH_NONCE_REUSED = 108,
            REJECT_REASON_PERMISSION_DENIED = 109,
            REJECT_REASON_RATE_LIMITED = 110,
            REJECT_REASON_TOO_MANY_SESSIONS = 111,
            REJECT_REASON_MALFORMED_MESSAGE = 112,
            REJECT_REASON_MESSAGE_TOO_LARGE = 113,
            REJECT_REASON_UNSUPPORTED_MESSAGE = 114,
            REJECT_REASON_NUMBER_OUT_OF_RANGE = 115,
            REJECT_REASON_SLOW_CONSUMER = 116,
            REJECT_REASON_REPLAY_UNAVAILABLE = 117,
            REJECT_REASON_ENGINE_UNAVAILABLE = 200,
            REJECT_REASON_ENGINE_TIMEOUT = 201,
            REJECT_REASON_ENGINE_SHUTTING_DOWN = 202
        }

        enum ExecType {
            EXEC_TYPE_UNKNOWN = 0,
            EXEC_TYPE_NEW = 1,
            EXEC_TYPE_TRADE = 2,
            EXEC_TYPE_CANCELED = 3,
            EXEC_TYPE_REPLACED = 4,
            EXEC_TYPE_REJECTED = 5,
            EXEC_TYPE_EXPIRED = 6,
            EXEC_TYPE_TRADE_PREVENTION = 7
        }

        enum OrderStatus {
            ORDER_STATUS_UNKNOWN = 0,
            ORDER_STATUS_NEW = 1,
            ORDER_STATUS_PARTIALLY_FILLED = 2,
            ORDER_STATUS_FILLED = 3,
            ORDER_STATUS_CANCELED = 4,
            ORDER_STATUS_EXPIRED = 5,
            ORDER_STATUS_REJECTED = 6
        }

        interface IPlaceOrder {
            accountId?: (number|null);
            marketId?: (number|null);
            side?: (exchange.v1.Side|null);
            orderType?: (exchange.v1.OrderType|null);
            timeInForce?: (exchange.v1.TimeInForce|null);
            priceTicks?: (number|null);
            qtyLots?: (number|null);
            quoteBudgetAtoms?: (number|null);
            postOnly?: (boolean|null);
            stpMode?: (exchange.v1.StpMode|null);
            clientOrderId?: (string|null);
        }

        class PlaceOrder implements IPlaceOrder {
            constructor(properties?: exchange.v1.IPlaceOrder);
            public accountId: number;
            public marketId: number;
            public side: exchange.v1.Side;
            public orderType: exchange.v1.OrderType;
            public timeInForce: exchange.v1.TimeInForce;
            public priceTicks: number;
            public qtyLots: number;
            public quoteBudgetAtoms: number;
            public postOnly: boolean;
            public stpMode: exchange.v1.StpMode;
            public clientOrderId: string;
            public static create(properties?: exchange.v1.IPlaceOrder): exchange.v1.PlaceOrder;
            public static encode(message: exchange.v1.IPlaceOrder, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.PlaceOrder;
            public static fromObject(object: { [k: string]: any }): exchange.v1.PlaceOrder;
            public static toObject(message: exchange.v1.PlaceOrder, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface ICancelOrder {
            accountId?: (number|null);
            orderId?: (number|null);
            clientOrderId?: (string|null);
        }

        class CancelOrder implements ICancelOrder {
            constructor(properties?: exchange.v1.ICancelOrder);
            public accountId: number;
            public orderId: number;
            public clientOrderId: string;
            public static create(properties?: exchange.v1.ICancelOrder): exchange.v1.CancelOrder;
            public static encode(message: exchange.v1.ICancelOrder, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.CancelOrder;
            public static fromObject(object: { [k: string]: any }): exchange.v1.CancelOrder;
            public static toObject(message: exchange.v1.CancelOrder, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface ICancelAll {
            accountId?: (number|null);
            marketId?: (number|null);
            reason?: (exchange.v1.CancelReason|null);
        }

        class CancelAll implements ICancelAll {
            constructor(properties?: exchange.v1.ICancelAll);
            public accountId: number;
            public marketId: number;
            public reason: exchange.v1.CancelReason;
            public static create(properties?: exchange.v1.ICancelAll): exchange.v1.CancelAll;
            public static encode(message: exchange.v1.ICancelAll, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.CancelAll;
            public static fromObject(object: { [k: string]: any }): exchange.v1.CancelAll;
            public static toObject(message: exchange.v1.CancelAll, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface IAmendOrder {
            accountId?: (number|null);
            orderId?: (number|null);
            clientOrderId?: (string|null);
            newPriceTicks?: (number|null);
            newQtyLots?: (number|null);
        }

        class AmendOrder implements IAmendOrder {
            constructor(properties?: exchange.v1.IAmendOrder);
            public accountId: number;
            public orderId: number;
            public clientOrderId: string;
            public newPriceTicks: number;
            public newQtyLots: number;
            public static create(properties?: exchange.v1.IAmendOrder): exchange.v1.AmendOrder;
            public static encode(message: exchange.v1.IAmendOrder, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.AmendOrder;
            public static fromObject(object: { [k: string]: any }): exchange.v1.AmendOrder;
            public static toObject(message: exchange.v1.AmendOrder, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface IBatchPlace {
            orders?: (exchange.v1.IPlaceOrder[]|null);
        }

        class BatchPlace implements IBatchPlace {
            constructor(properties?: exchange.v1.IBatchPlace);
            public orders: exchange.v1.IPlaceOrder[];
            public static create(properties?: exchange.v1.IBatchPlace): exchange.v1.BatchPlace;
            public static encode(message: exchange.v1.IBatchPlace, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.BatchPlace;
            public static fromObject(object: { [k: string]: any }): exchange.v1.BatchPlace;
            public static toObject(message: exchange.v1.BatchPlace, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface IBatchCancel {
            cancels?: (exchange.v1.ICancelOrder[]|null);
        }

        class BatchCancel implements IBatchCancel {
            constructor(properties?: exchange.v1.IBatchCancel);
            public cancels: exchange.v1.ICancelOrder[];
            public static create(properties?: exchange.v1.IBatchCancel): exchange.v1.BatchCancel;
            public static encode(message: exchange.v1.IBatchCancel, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.BatchCancel;
            public static fromObject(object: { [k: string]: any }): exchange.v1.BatchCancel;
            public static toObject(message: exchange.v1.BatchCancel, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface IDeposit {
            accountId?: (number|null);
            assetId?: (number|null);
            amountAtoms?: (number|null);
            refId?: (number|null);
        }

        class Deposit implements IDeposit {
            constructor(properties?: exchange.v1.IDeposit);
            public accountId: number;
            public assetId: number;
            public amountAtoms: number;
            public refId: number;
            public static create(properties?: exchange.v1.IDeposit): exchange.v1.Deposit;
            public static encode(message: exchange.v1.IDeposit, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.Deposit;
            public static fromObject(object: { [k: string]: any }): exchange.v1.Deposit;
            public static toObject(message: exchange.v1.Deposit, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface IWithdrawLock {
            accountId?: (number|null);
            assetId?: (number|null);
            amountAtoms?: (number|null);
            refId?: (number|null);
        }

        class WithdrawLock implements IWithdrawLock {
            constructor(properties?: exchange.v1.IWithdrawLock);
            public accountId: number;
            public assetId: number;
            public amountAtoms: number;
            public refId: number;
            public static create(properties?: exchange.v1.IWithdrawLock): exchange.v1.WithdrawLock;
            public static encode(message: exchange.v1.IWithdrawLock, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.WithdrawLock;
            public static fromObject(object: { [k: string]: any }): exchange.v1.WithdrawLock;
            public static toObject(message: exchange.v1.WithdrawLock, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface IWithdrawFinalize {
            refId?: (number|null);
        }

        class WithdrawFinalize implements IWithdrawFinalize {
            constructor(properties?: exchange.v1.IWithdrawFinalize);
            public refId: number;
            public static create(properties?: exchange.v1.IWithdrawFinalize): exchange.v1.WithdrawFinalize;
            public static encode(message: exchange.v1.IWithdrawFinalize, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.WithdrawFinalize;
            public static fromObject(object: { [k: string]: any }): exchange.v1.WithdrawFinalize;
            public static toObject(message: exchange.v1.WithdrawFinalize, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface IWithdrawRelease {
            refId?: (number|null);
        }

        class WithdrawRelease implements IWithdrawRelease {
            constructor(properties?: exchange.v1.IWithdrawRelease);
            public refId: number;
            public static create(properties?: exchange.v1.IWithdrawRelease): exchange.v1.WithdrawRelease;
            public static encode(message: exchange.v1.IWithdrawRelease, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.WithdrawRelease;
            public static fromObject(object: { [k: string]: any }): exchange.v1.WithdrawRelease;
            public static toObject(message: exchange.v1.WithdrawRelease, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface ISetFees {
            accountId?: (number|null);
            makerFeeBps?: (number|null);
            takerFeeBps?: (number|null);
        }

        class SetFees implements ISetFees {
            constructor(properties?: exchange.v1.ISetFees);
            public accountId: number;
            public makerFeeBps: number;
            public takerFeeBps: number;
            public static create(properties?: exchange.v1.ISetFees): exchange.v1.SetFees;
            public static encode(message: exchange.v1.ISetFees, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.SetFees;
            public static fromObject(object: { [k: string]: any }): exchange.v1.SetFees;
            public static toObject(message: exchange.v1.SetFees, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface IAddAsset {
            assetId?: (number|null);
        }

        class AddAsset implements IAddAsset {
            constructor(properties?: exchange.v1.IAddAsset);
            public assetId: number;
            public static create(properties?: exchange.v1.IAddAsset): exchange.v1.AddAsset;
            public static encode(message: exchange.v1.IAddAsset, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.AddAsset;
            public static fromObject(object: { [k: string]: any }): exchange.v1.AddAsset;
            public static toObject(message: exchange.v1.AddAsset, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface IAddAccount {
            accountId?: (number|null);
            makerFeeBps?: (number|null);
            takerFeeBps?: (number|null);
        }

        class AddAccount implements IAddAccount {
            constructor(properties?: exchange.v1.IAddAccount);
            public accountId: number;
            public makerFeeBps: number;
            public takerFeeBps: number;
            public static create(properties?: exchange.v1.IAddAccount): exchange.v1.AddAccount;
            public static encode(message: exchange.v1.IAddAccount, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.AddAccount;
            public static fromObject(object: { [k: string]: any }): exchange.v1.AddAccount;
            public static toObject(message: exchange.v1.AddAccount, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface IAddMarket {
            marketId?: (number|null);
            baseAssetId?: (number|null);
            quoteAssetId?: (number|null);
            baseAtomsPerLot?: (number|null);
            quoteAtomsPerTickLot?: (number|null);
            minQtyLots?: (number|null);
            maxQtyLots?: (number|null);
            maxPriceTicks?: (number|null);
            minNotionalAtoms?: (number|null);
            priceBandBps?: (number|null);
            allowSelfTrade?: (boolean|null);
            status?: (exchange.v1.MarketStatus|null);
        }

        class AddMarket implements IAddMarket {
            constructor(properties?: exchange.v1.IAddMarket);
            public marketId: number;
            public baseAssetId: number;
            public quoteAssetId: number;
            public baseAtomsPerLot: number;
            public quoteAtomsPerTickLot: number;
            public minQtyLots: number;
            public maxQtyLots: number;
            public maxPriceTicks: number;
            public minNotionalAtoms: number;
            public priceBandBps: number;
            public allowSelfTrade: boolean;
            public status: exchange.v1.MarketStatus;
            public static create(properties?: exchange.v1.IAddMarket): exchange.v1.AddMarket;
            public static encode(message: exchange.v1.IAddMarket, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.AddMarket;
            public static fromObject(object: { [k: string]: any }): exchange.v1.AddMarket;
            public static toObject(message: exchange.v1.AddMarket, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface ISetMarketStatus {
            marketId?: (number|null);
            status?: (exchange.v1.MarketStatus|null);
        }

        class SetMarketStatus implements ISetMarketStatus {
            constructor(properties?: exchange.v1.ISetMarketStatus);
            public marketId: number;
            public status: exchange.v1.MarketStatus;
            public static create(properties?: exchange.v1.ISetMarketStatus): exchange.v1.SetMarketStatus;
            public static encode(message: exchange.v1.ISetMarketStatus, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.SetMarketStatus;
            public static fromObject(object: { [k: string]: any }): exchange.v1.SetMarketStatus;
            public static toObject(message: exchange.v1.SetMarketStatus, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface ISetDeadManSwitch {
            accountId?: (number|null);
            marketId?: (number|null);
            timeoutMs?: (number|null);
        }

        class SetDeadManSwitch implements ISetDeadManSwitch {
            constructor(properties?: exchange.v1.ISetDeadManSwitch);
            public accountId: number;
            public marketId: number;
            public timeoutMs: number;
            public static create(properties?: exchange.v1.ISetDeadManSwitch): exchange.v1.SetDeadManSwitch;
            public static encode(message: exchange.v1.ISetDeadManSwitch, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.SetDeadManSwitch;
            public static fromObject(object: { [k: string]: any }): exchange.v1.SetDeadManSwitch;
            public static toObject(message: exchange.v1.SetDeadManSwitch, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface ITimer {
        }

        class Timer implements ITimer {
            constructor(properties?: exchange.v1.ITimer);
            public static create(properties?: exchange.v1.ITimer): exchange.v1.Timer;
            public static encode(message: exchange.v1.ITimer, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.Timer;
            public static fromObject(object: { [k: string]: any }): exchange.v1.Timer;
            public static toObject(message: exchange.v1.Timer, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface ICommand {
            placeOrder?: (exchange.v1.IPlaceOrder|null);
            cancelOrder?: (exchange.v1.ICancelOrder|null);
            cancelAll?: (exchange.v1.ICancelAll|null);
            amendOrder?: (exchange.v1.IAmendOrder|null);
            batchPlace?: (exchange.v1.IBatchPlace|null);
            batchCancel?: (exchange.v1.IBatchCancel|null);
            deposit?: (exchange.v1.IDeposit|null);
            withdrawLock?: (exchange.v1.IWithdrawLock|null);
            withdrawFinalize?: (exchange.v1.IWithdrawFinalize|null);
            withdrawRelease?: (exchange.v1.IWithdrawRelease|null);
            setFees?: (exchange.v1.ISetFees|null);
            addAsset?: (exchange.v1.IAddAsset|null);
            addAccount?: (exchange.v1.IAddAccount|null);
            addMarket?: (exchange.v1.IAddMarket|null);
            setMarketStatus?: (exchange.v1.ISetMarketStatus|null);
            setDeadManSwitch?: (exchange.v1.ISetDeadManSwitch|null);
            timer?: (exchange.v1.ITimer|null);
        }

        class Command implements ICommand {
            constructor(properties?: exchange.v1.ICommand);
            public placeOrder?: (exchange.v1.IPlaceOrder|null);
            public cancelOrder?: (exchange.v1.ICancelOrder|null);
            public cancelAll?: (exchange.v1.ICancelAll|null);
            public amendOrder?: (exchange.v1.IAmendOrder|null);
            public batchPlace?: (exchange.v1.IBatchPlace|null);
            public batchCancel?: (exchange.v1.IBatchCancel|null);
            public deposit?: (exchange.v1.IDeposit|null);
            public withdrawLock?: (exchange.v1.IWithdrawLock|null);
            public withdrawFinalize?: (exchange.v1.IWithdrawFinalize|null);
            public withdrawRelease?: (exchange.v1.IWithdrawRelease|null);
            public setFees?: (exchange.v1.ISetFees|null);
            public addAsset?: (exchange.v1.IAddAsset|null);
            public addAccount?: (exchange.v1.IAddAccount|null);
            public addMarket?: (exchange.v1.IAddMarket|null);
            public setMarketStatus?: (exchange.v1.ISetMarketStatus|null);
            public setDeadManSwitch?: (exchange.v1.ISetDeadManSwitch|null);
            public timer?: (exchange.v1.ITimer|null);
            public body?: ("placeOrder"|"cancelOrder"|"cancelAll"|"amendOrder"|"batchPlace"|"batchCancel"|"deposit"|"withdrawLock"|"withdrawFinalize"|"withdrawRelease"|"setFees"|"addAsset"|"addAccount"|"addMarket"|"setMarketStatus"|"setDeadManSwitch"|"timer");
            public static create(properties?: exchange.v1.ICommand): exchange.v1.Command;
            public static encode(message: exchange.v1.ICommand, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.Command;
            public static fromObject(object: { [k: string]: any }): exchange.v1.Command;
            public static toObject(message: exchange.v1.Command, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        enum EventKind {
            EVENT_KIND_UNKNOWN = 0,
            EVENT_KIND_ORDER_ACCEPTED = 1,
            EVENT_KIND_ORDER_REJECTED = 2,
            EVENT_KIND_TRADE = 3,
            EVENT_KIND_ORDER_CANCELED = 4,
            EVENT_KIND_ORDER_EXPIRED = 5,
            EVENT_KIND_ORDER_AMENDED = 6,
            EVENT_KIND_SELF_TRADE_PREVENTED = 7,
            EVENT_KIND_BOOK_LEVEL = 8,
            EVENT_KIND_BALANCE = 9,
            EVENT_KIND_DEPOSITED = 10,
            EVENT_KIND_WITHDRAWAL_LOCKED = 11,
            EVENT_KIND_WITHDRAWAL_FINALIZED = 12,
            EVENT_KIND_WITHDRAWAL_RELEASED = 13,
            EVENT_KIND_FEES_SET = 14,
            EVENT_KIND_ASSET_ADDED = 15,
            EVENT_KIND_ACCOUNT_ADDED = 16,
            EVENT_KIND_MARKET_ADDED = 17,
            EVENT_KIND_MARKET_STATUS_SET = 18,
            EVENT_KIND_DEAD_MAN_SWITCH_SET = 19,
            EVENT_KIND_DEAD_MAN_SWITCH_FIRED = 20
        }

        interface IEvent {
            kind?: (exchange.v1.EventKind|null);
            seq?: (number|null);
            orderId?: (number|null);
            accountId?: (number|null);
            marketId?: (number|null);
            side?: (exchange.v1.Side|null);
            priceTicks?: (number|null);
            qtyLots?: (number|null);
            remainingLots?: (number|null);
            quoteAtoms?: (number|null);
            tradeId?: (number|null);
            makerOrderId?: (number|null);
            makerAccountId?: (number|null);
            makerRemainingLots?: (number|null);
            takerFeeAtoms?: (number|null);
            makerFeeAtoms?: (number|null);
            commandKind?: (number|null);
            rejectReason?: (exchange.v1.RejectReason|null);
            cancelReason?: (exchange.v1.CancelReason|null);
            orderType?: (exchange.v1.OrderType|null);
            timeInForce?: (exchange.v1.TimeInForce|null);
            stpMode?: (exchange.v1.StpMode|null);
            flags?: (number|null);
            assetId?: (number|null);
            availableAtoms?: (number|null);
            lockedAtoms?: (number|null);
            amountAtoms?: (number|null);
            refId?: (number|null);
            orderCount?: (number|null);
            makerFeeBps?: (number|null);
            takerFeeBps?: (number|null);
            status?: (exchange.v1.MarketStatus|null);
            clientOrderId?: (string|null);
            timeoutMs?: (number|null);
            deadlineUs?: (number|null);
        }

        class Event implements IEvent {
            constructor(properties?: exchange.v1.IEvent);
            public kind: exchange.v1.EventKind;
            public seq: number;
            public orderId: number;
            public accountId: number;
            public marketId: number;
            public side: exchange.v1.Side;
            public priceTicks: number;
            public qtyLots: number;
            public remainingLots: number;
            public quoteAtoms: number;
            public tradeId: number;
            public makerOrderId: number;
            public makerAccountId: number;
            public makerRemainingLots: number;
            public takerFeeAtoms: number;
            public makerFeeAtoms: number;
            public commandKind: number;
            public rejectReason: exchange.v1.RejectReason;
            public cancelReason: exchange.v1.CancelReason;
            public orderType: exchange.v1.OrderType;
            public timeInForce: exchange.v1.TimeInForce;
            public stpMode: exchange.v1.StpMode;
            public flags: number;
            public assetId: number;
            public availableAtoms: number;
            public lockedAtoms: number;
            public amountAtoms: number;
            public refId: number;
            public orderCount: number;
            public makerFeeBps: number;
            public takerFeeBps: number;
            public status: exchange.v1.MarketStatus;
            public clientOrderId: string;
            public timeoutMs: number;
            public deadlineUs: number;
            public static create(properties?: exchange.v1.IEvent): exchange.v1.Event;
            public static encode(message: exchange.v1.IEvent, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.Event;
            public static fromObject(object: { [k: string]: any }): exchange.v1.Event;
            public static toObject(message: exchange.v1.Event, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface IJournaledCommand {
            seq?: (number|null);
            timeUs?: (number|null);
            command?: (exchange.v1.ICommand|null);
            rejectReason?: (exchange.v1.RejectReason|null);
            events?: (exchange.v1.IEvent[]|null);
        }

        class JournaledCommand implements IJournaledCommand {
            constructor(properties?: exchange.v1.IJournaledCommand);
            public seq: number;
            public timeUs: number;
            public command?: (exchange.v1.ICommand|null);
            public rejectReason: exchange.v1.RejectReason;
            public events: exchange.v1.IEvent[];
            public static create(properties?: exchange.v1.IJournaledCommand): exchange.v1.JournaledCommand;
            public static encode(message: exchange.v1.IJournaledCommand, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.JournaledCommand;
            public static fromObject(object: { [k: string]: any }): exchange.v1.JournaledCommand;
            public static toObject(message: exchange.v1.JournaledCommand, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface IJournalEntry {
            version?: (number|null);
            shardId?: (number|null);
            firstSeq?: (number|null);
            lastSeq?: (number|null);
            commands?: (exchange.v1.IJournaledCommand[]|null);
            stateHash?: (string|null);
        }

        class JournalEntry implements IJournalEntry {
            constructor(properties?: exchange.v1.IJournalEntry);
            public version: number;
            public shardId: number;
            public firstSeq: number;
            public lastSeq: number;
            public commands: exchange.v1.IJournaledCommand[];
            public stateHash: string;
            public static create(properties?: exchange.v1.IJournalEntry): exchange.v1.JournalEntry;
            public static encode(message: exchange.v1.IJournalEntry, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.JournalEntry;
            public static fromObject(object: { [k: string]: any }): exchange.v1.JournalEntry;
            public static toObject(message: exchange.v1.JournalEntry, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface ISnapshotHeader {
            version?: (number|null);
            shardId?: (number|null);
            lastSeq?: (number|null);
            journalId?: (string|null);
            stateHash?: (string|null);
            takenAtUs?: (number|null);
            dataKey?: (string|null);
            chunkCount?: (number|null);
            engineBytes?: (number|null);
            windowBytes?: (number|null);
            bodySha256?: (Uint8Array|null);
            lastTimeUs?: (number|null);
        }

        class SnapshotHeader implements ISnapshotHeader {
            constructor(properties?: exchange.v1.ISnapshotHeader);
            public version: number;
            public shardId: number;
            public lastSeq: number;
            public journalId: string;
            public stateHash: string;
            public takenAtUs: number;
            public dataKey: string;
            public chunkCount: number;
            public engineBytes: number;
            public windowBytes: number;
            public bodySha256: Uint8Array;
            public lastTimeUs: number;
            public static create(properties?: exchange.v1.ISnapshotHeader): exchange.v1.SnapshotHeader;
            public static encode(message: exchange.v1.ISnapshotHeader, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.SnapshotHeader;
            public static fromObject(object: { [k: string]: any }): exchange.v1.SnapshotHeader;
            public static toObject(message: exchange.v1.SnapshotHeader, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface IIdempotencyRecord {
            accountId?: (number|null);
            clientOrderId?: (string|null);
            orderId?: (number|null);
            seq?: (number|null);
            marketId?: (number|null);
            side?: (exchange.v1.Side|null);
            orderType?: (exchange.v1.OrderType|null);
            timeInForce?: (exchange.v1.TimeInForce|null);
            priceTicks?: (number|null);
            qtyLots?: (number|null);
            quoteBudgetAtoms?: (number|null);
            postOnly?: (boolean|null);
            stpMode?: (exchange.v1.StpMode|null);
            status?: (exchange.v1.OrderStatus|null);
            filledLots?: (number|null);
            currentPriceTicks?: (number|null);
            currentQtyLots?: (number|null);
            result?: (Uint8Array|null);
        }

        class IdempotencyRecord implements IIdempotencyRecord {
            constructor(properties?: exchange.v1.IIdempotencyRecord);
            public accountId: number;
            public clientOrderId: string;
            public orderId: number;
            public seq: number;
            public marketId: number;
            public side: exchange.v1.Side;
            public orderType: exchange.v1.OrderType;
            public timeInForce: exchange.v1.TimeInForce;
            public priceTicks: number;
            public qtyLots: number;
            public quoteBudgetAtoms: number;
            public postOnly: boolean;
            public stpMode: exchange.v1.StpMode;
            public status: exchange.v1.OrderStatus;
            public filledLots: number;
            public currentPriceTicks: number;
            public currentQtyLots: number;
            public result: Uint8Array;
            public static create(properties?: exchange.v1.IIdempotencyRecord): exchange.v1.IdempotencyRecord;
            public static encode(message: exchange.v1.IIdempotencyRecord, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.IdempotencyRecord;
            public static fromObject(object: { [k: string]: any }): exchange.v1.IdempotencyRecord;
            public static toObject(message: exchange.v1.IdempotencyRecord, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface IIdempotencyWindow {
            records?: (exchange.v1.IIdempotencyRecord[]|null);
        }

        class IdempotencyWindow implements IIdempotencyWindow {
            constructor(properties?: exchange.v1.IIdempotencyWindow);
            public records: exchange.v1.IIdempotencyRecord[];
            public static create(properties?: exchange.v1.IIdempotencyWindow): exchange.v1.IdempotencyWindow;
            public static encode(message: exchange.v1.IIdempotencyWindow, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.IdempotencyWindow;
            public static fromObject(object: { [k: string]: any }): exchange.v1.IdempotencyWindow;
            public static toObject(message: exchange.v1.IdempotencyWindow, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface ILinkHello {
            clientName?: (string|null);
            protocolVersion?: (number|null);
            subscribeEvents?: (boolean|null);
        }

        class LinkHello implements ILinkHello {
            constructor(properties?: exchange.v1.ILinkHello);
            public clientName: string;
            public protocolVersion: number;
            public subscribeEvents: boolean;
            public static create(properties?: exchange.v1.ILinkHello): exchange.v1.LinkHello;
            public static encode(message: exchange.v1.ILinkHello, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.LinkHello;
            public static fromObject(object: { [k: string]: any }): exchange.v1.LinkHello;
            public static toObject(message: exchange.v1.LinkHello, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface IOrderStatusQuery {
            accountId?: (number|null);
            orderId?: (number|null);
            clientOrderId?: (string|null);
        }

        class OrderStatusQuery implements IOrderStatusQuery {
            constructor(properties?: exchange.v1.IOrderStatusQuery);
            public accountId: number;
            public orderId: number;
            public clientOrderId: string;
            public static create(properties?: exchange.v1.IOrderStatusQuery): exchange.v1.OrderStatusQuery;
            public static encode(message: exchange.v1.IOrderStatusQuery, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.OrderStatusQuery;
            public static fromObject(object: { [k: string]: any }): exchange.v1.OrderStatusQuery;
            public static toObject(message: exchange.v1.OrderStatusQuery, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface ILinkPing {
            timeUs?: (number|null);
        }

        class LinkPing implements ILinkPing {
            constructor(properties?: exchange.v1.ILinkPing);
            public timeUs: number;
            public static create(properties?: exchange.v1.ILinkPing): exchange.v1.LinkPing;
            public static encode(message: exchange.v1.ILinkPing, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.LinkPing;
            public static fromObject(object: { [k: string]: any }): exchange.v1.LinkPing;
            public static toObject(message: exchange.v1.LinkPing, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface ILinkDeadManSwitch {
            accountId?: (number|null);
            marketId?: (number|null);
            timeoutMs?: (number|null);
        }

        class LinkDeadManSwitch implements ILinkDeadManSwitch {
            constructor(properties?: exchange.v1.ILinkDeadManSwitch);
            public accountId: number;
            public marketId: number;
            public timeoutMs: number;
            public static create(properties?: exchange.v1.ILinkDeadManSwitch): exchange.v1.LinkDeadManSwitch;
            public static encode(message: exchange.v1.ILinkDeadManSwitch, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.LinkDeadManSwitch;
            public static fromObject(object: { [k: string]: any }): exchange.v1.LinkDeadManSwitch;
            public static toObject(message: exchange.v1.LinkDeadManSwitch, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface ILinkRequest {
            correlationId?: (number|null);
            hello?: (exchange.v1.ILinkHello|null);
            command?: (exchange.v1.ICommand|null);
            orderStatus?: (exchange.v1.IOrderStatusQuery|null);
            ping?: (exchange.v1.ILinkPing|null);
            deadManSwitch?: (exchange.v1.ILinkDeadManSwitch|null);
        }

        class LinkRequest implements ILinkRequest {
            constructor(properties?: exchange.v1.ILinkRequest);
            public correlationId: number;
            public hello?: (exchange.v1.ILinkHello|null);
            public command?: (exchange.v1.ICommand|null);
            public orderStatus?: (exchange.v1.IOrderStatusQuery|null);
            public ping?: (exchange.v1.ILinkPing|null);
            public deadManSwitch?: (exchange.v1.ILinkDeadManSwitch|null);
            public body?: ("hello"|"command"|"orderStatus"|"ping"|"deadManSwitch");
            public static create(properties?: exchange.v1.ILinkRequest): exchange.v1.LinkRequest;
            public static encode(message: exchange.v1.ILinkRequest, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.LinkRequest;
            public static fromObject(object: { [k: string]: any }): exchange.v1.LinkRequest;
            public static toObject(message: exchange.v1.LinkRequest, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface ICommandResult {
            correlationId?: (number|null);
            seq?: (number|null);
            rejectReason?: (exchange.v1.RejectReason|null);
            events?: (exchange.v1.IEvent[]|null);
            engineTimeUs?: (number|null);
        }

        class CommandResult implements ICommandResult {
            constructor(properties?: exchange.v1.ICommandResult);
            public correlationId: number;
            public seq: number;
            public rejectReason: exchange.v1.RejectReason;
            public events: exchange.v1.IEvent[];
            public engineTimeUs: number;
            public static create(properties?: exchange.v1.ICommandResult): exchange.v1.CommandResult;
            public static encode(message: exchange.v1.ICommandResult, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.CommandResult;
            public static fromObject(object: { [k: string]: any }): exchange.v1.CommandResult;
            public static toObject(message: exchange.v1.CommandResult, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface IOrderStatusResult {
            correlationId?: (number|null);
            found?: (boolean|null);
            orderId?: (number|null);
            accountId?: (number|null);
            marketId?: (number|null);
            side?: (exchange.v1.Side|null);
            priceTicks?: (number|null);
            qtyLots?: (number|null);
            filledLots?: (number|null);
            remainingLots?: (number|null);
            status?: (exchange.v1.OrderStatus|null);
            clientOrderId?: (string|null);
            asOfSeq?: (number|null);
        }

        class OrderStatusResult implements IOrderStatusResult {
            constructor(properties?: exchange.v1.IOrderStatusResult);
            public correlationId: number;
            public found: boolean;
            public orderId: number;
            public accountId: number;
            public marketId: number;
            public side: exchange.v1.Side;
            public priceTicks: number;
            public qtyLots: number;
            public filledLots: number;
            public remainingLots: number;
            public status: exchange.v1.OrderStatus;
            public clientOrderId: string;
            public asOfSeq: number;
            public static create(properties?: exchange.v1.IOrderStatusResult): exchange.v1.OrderStatusResult;
            public static encode(message: exchange.v1.IOrderStatusResult, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.OrderStatusResult;
            public static fromObject(object: { [k: string]: any }): exchange.v1.OrderStatusResult;
            public static toObject(message: exchange.v1.OrderStatusResult, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface IEventBatch {
            firstSeq?: (number|null);
            lastSeq?: (number|null);
            events?: (exchange.v1.IEvent[]|null);
            commandTimeUs?: (number[]|null);
        }

        class EventBatch implements IEventBatch {
            constructor(properties?: exchange.v1.IEventBatch);
            public firstSeq: number;
            public lastSeq: number;
            public events: exchange.v1.IEvent[];
            public commandTimeUs: number[];
            public static create(properties?: exchange.v1.IEventBatch): exchange.v1.EventBatch;
            public static encode(message: exchange.v1.IEventBatch, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.EventBatch;
            public static fromObject(object: { [k: string]: any }): exchange.v1.EventBatch;
            public static toObject(message: exchange.v1.EventBatch, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface IDeadManSwitchResult {
            correlationId?: (number|null);
            rejectReason?: (exchange.v1.RejectReason|null);
            firesAtUs?: (number|null);
            timeoutMs?: (number|null);
        }

        class DeadManSwitchResult implements IDeadManSwitchResult {
            constructor(properties?: exchange.v1.IDeadManSwitchResult);
            public correlationId: number;
            public rejectReason: exchange.v1.RejectReason;
            public firesAtUs: number;
            public timeoutMs: number;
            public static create(properties?: exchange.v1.IDeadManSwitchResult): exchange.v1.DeadManSwitchResult;
            public static encode(message: exchange.v1.IDeadManSwitchResult, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.DeadManSwitchResult;
            public static fromObject(object: { [k: string]: any }): exchange.v1.DeadManSwitchResult;
            public static toObject(message: exchange.v1.DeadManSwitchResult, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface ILinkPong {
            timeUs?: (number|null);
            engineTimeUs?: (number|null);
        }

        class LinkPong implements ILinkPong {
            constructor(properties?: exchange.v1.ILinkPong);
            public timeUs: number;
            public engineTimeUs: number;
            public static create(properties?: exchange.v1.ILinkPong): exchange.v1.LinkPong;
            public static encode(message: exchange.v1.ILinkPong, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.LinkPong;
            public static fromObject(object: { [k: string]: any }): exchange.v1.LinkPong;
            public static toObject(message: exchange.v1.LinkPong, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface ILinkHelloAck {
            shardId?: (number|null);
            lastSeq?: (number|null);
            marketIds?: (number[]|null);
        }

        class LinkHelloAck implements ILinkHelloAck {
            constructor(properties?: exchange.v1.ILinkHelloAck);
            public shardId: number;
            public lastSeq: number;
            public marketIds: number[];
            public static create(properties?: exchange.v1.ILinkHelloAck): exchange.v1.LinkHelloAck;
            public static encode(message: exchange.v1.ILinkHelloAck, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.LinkHelloAck;
            public static fromObject(object: { [k: string]: any }): exchange.v1.LinkHelloAck;
            public static toObject(message: exchange.v1.LinkHelloAck, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface ILinkReject {
            correlationId?: (number|null);
            reason?: (exchange.v1.RejectReason|null);
            message?: (string|null);
        }

        class LinkReject implements ILinkReject {
            constructor(properties?: exchange.v1.ILinkReject);
            public correlationId: number;
            public reason: exchange.v1.RejectReason;
            public message: string;
            public static create(properties?: exchange.v1.ILinkReject): exchange.v1.LinkReject;
            public static encode(message: exchange.v1.ILinkReject, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.LinkReject;
            public static fromObject(object: { [k: string]: any }): exchange.v1.LinkReject;
            public static toObject(message: exchange.v1.LinkReject, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface ILinkShutdown {
            reason?: (exchange.v1.RejectReason|null);
            message?: (string|null);
        }

        class LinkShutdown implements ILinkShutdown {
            constructor(properties?: exchange.v1.ILinkShutdown);
            public reason: exchange.v1.RejectReason;
            public message: string;
            public static create(properties?: exchange.v1.ILinkShutdown): exchange.v1.LinkShutdown;
            public static encode(message: exchange.v1.ILinkShutdown, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.LinkShutdown;
            public static fromObject(object: { [k: string]: any }): exchange.v1.LinkShutdown;
            public static toObject(message: exchange.v1.LinkShutdown, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }

        interface ILinkMessage {
            result?: (exchange.v1.ICommandResult|null);
            orderStatus?: (exchange.v1.IOrderStatusResult|null);
            events?: (exchange.v1.IEventBatch|null);
            pong?: (exchange.v1.ILinkPong|null);
            helloAck?: (exchange.v1.ILinkHelloAck|null);
            reject?: (exchange.v1.ILinkReject|null);
            shutdown?: (exchange.v1.ILinkShutdown|null);
            deadManSwitch?: (exchange.v1.IDeadManSwitchResult|null);
        }

        class LinkMessage implements ILinkMessage {
            constructor(properties?: exchange.v1.ILinkMessage);
            public result?: (exchange.v1.ICommandResult|null);
            public orderStatus?: (exchange.v1.IOrderStatusResult|null);
            public events?: (exchange.v1.IEventBatch|null);
            public pong?: (exchange.v1.ILinkPong|null);
            public helloAck?: (exchange.v1.ILinkHelloAck|null);
            public reject?: (exchange.v1.ILinkReject|null);
            public shutdown?: (exchange.v1.ILinkShutdown|null);
            public deadManSwitch?: (exchange.v1.IDeadManSwitchResult|null);
            public body?: ("result"|"orderStatus"|"events"|"pong"|"helloAck"|"reject"|"shutdown"|"deadManSwitch");
            public static create(properties?: exchange.v1.ILinkMessage): exchange.v1.LinkMessage;
            public static encode(message: exchange.v1.ILinkMessage, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): exchange.v1.LinkMessage;
            public static fromObject(object: { [k: string]: any }): exchange.v1.LinkMessage;
            public static toObject(message: exchange.v1.LinkMessage, options?: $protobuf.IConversionOptions): { [k: string]: any };
            public toJSON(): { [k: string]: any };
        }
    }
}
